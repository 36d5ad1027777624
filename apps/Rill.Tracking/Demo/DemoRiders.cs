using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Rill.Tracking.Auth;
using Rill.Tracking.City;
using Rill.Tracking.Endpoints;
using Rill.Tracking.Geo;
using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;

namespace Rill.Tracking.Demo;

/// <summary>
/// --demo: a few riders, each in a loop: ride to a restaurant, pick up, ride to a customer address,
/// deliver, next order. They use the City library's movement model and talk to this app's own
/// /ws/rider over loopback with RiderSocketClient, exactly as phones would; orders go through the
/// same order-events path as POST /api/orders.
/// </summary>
public sealed class DemoRiders(TrackingOptions options, CityMap city, TokenSigner signer, OrderEventProducer events, IServer server,
    IHostApplicationLifetime lifetime, ILogger<DemoRiders> logger) : BackgroundService
{
    public const double CruiseSpeedMps = 9;

    private readonly ConcurrentDictionary<string, DemoOrder> _orders = new(StringComparer.Ordinal);

    public sealed record DemoOrder(string OrderId, string RiderId, string? RestaurantId, string TrackingUrl);

    /// <summary>The demo orders in flight (for the index page).</summary>
    public IReadOnlyList<DemoOrder> Orders => _orders.Values.OrderBy(o => o.RiderId, StringComparer.Ordinal).ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        string address = server.Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUri = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        var riders = Enumerable.Range(1, options.DemoRiders).Select(i => RunRiderAsync(baseUri, i, stoppingToken)).ToList();
        await Task.WhenAll(riders);
    }

    private async Task RunRiderAsync(Uri baseUri, int index, CancellationToken stoppingToken)
    {
        var rng = new Random(options.CitySeed * 1000 + index);
        string riderId = $"demo-rider-{index}";
        var c = city.City;
        GeoPoint position = c.Roads.Nodes[rng.Next(c.Roads.NodeCount)];
        int orderNumber = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var socket = new RiderSocketClient(riderId);
                string token = signer.IssueRiderToken(riderId, c.RegionOf(position.Lat, position.Lon));
                await socket.ConnectAsync(baseUri, token, stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    Restaurant restaurant = c.Restaurants[rng.Next(c.Restaurants.Count)];
                    CustomerAddress customer = c.Addresses[rng.Next(c.Addresses.Count)];
                    string orderId = $"demo-{index}-{++orderNumber}";
                    await events.PublishAsync(new OrderEvent(OrderEvent.Assigned, orderId, Now(), riderId, restaurant.Id,
                        new LatLon(restaurant.Lat, restaurant.Lon), new LatLon(customer.Lat, customer.Lon)), stoppingToken);
                    string orderToken = signer.IssueOrderToken(orderId);
                    _orders[riderId] = new DemoOrder(orderId, riderId, restaurant.Id,
                        $"{baseUri.ToString().TrimEnd('/')}/track.html?order={Uri.EscapeDataString(orderId)}&token={Uri.EscapeDataString(orderToken)}");
                    position = await RideAsync(socket, orderId, position, restaurant.Location, rng.Next(), stoppingToken);
                    await events.PublishAsync(new OrderEvent(OrderEvent.PickedUp, orderId, Now(), riderId), stoppingToken);
                    position = await RideAsync(socket, orderId, position, customer.Location, rng.Next(), stoppingToken);
                    await events.PublishAsync(new OrderEvent(OrderEvent.Delivered, orderId, Now(), riderId), stoppingToken);
                    await Task.Delay(TimeSpan.FromSeconds(3), stoppingToken);
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "demo rider {RiderId} failed; reconnecting", riderId);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<GeoPoint> RideAsync(RiderSocketClient socket, string orderId, GeoPoint from, GeoPoint to, int seed, CancellationToken stoppingToken)
    {
        var movement = new RiderMovement(city.City.RouteBetween(from, to), CruiseSpeedMps, seed);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            RiderPosition p = movement.Advance(1);
            await socket.SendAsync(orderId, p.Lat, p.Lon, p.SpeedMps, p.Heading, Now(), ct: stoppingToken);
            if (p.Arrived)
            {
                return movement.TruePosition;
            }
        }
        return from;
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
