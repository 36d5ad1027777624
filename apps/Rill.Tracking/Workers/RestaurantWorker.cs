using System.Collections.Concurrent;
using Rill.Tracking.Geo;
using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;
using Rill.Tracking.Streaming;

namespace Rill.Tracking.Workers;

/// <summary>
/// Group tracking-restaurant: per restaurant, the riders heading there (assigned, not yet picked up)
/// with an ETA = road distance / recent speed (`incoming`), one `arrived` when a rider comes within
/// <see cref="ArrivalMeters"/>, and `gone` when the order is picked up or delivered.
/// </summary>
public sealed class RestaurantWorker(KafkaRuntime kafka, RoleStatus status, OrderBook book, SseHub hub, EtaEstimator eta,
    ILogger<RestaurantWorker> logger) : OrderFollowingWorker(kafka, status, book, logger)
{
    public const double ArrivalMeters = 50;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Incoming>> _incoming = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _arrived = new(StringComparer.Ordinal);

    public sealed record Incoming(string OrderId, string RiderId, double Lat, double Lon, int EtaSeconds, long Ts, bool Arrived);

    protected override Roles Role => Roles.Restaurant;
    protected override string GroupId => GroupIds.Restaurant;

    /// <summary>The riders heading to a restaurant now (for a page that just connected).</summary>
    public IReadOnlyCollection<Incoming> IncomingTo(string restaurantId) =>
        _incoming.TryGetValue(restaurantId, out var map) ? map.Values.ToList() : [];

    protected override void OnOrderChanged(OrderEvent e, OrderState order)
    {
        if (e.Type is OrderEvent.PickedUp or OrderEvent.Delivered && order.RestaurantId is { } restaurantId)
        {
            if (_incoming.TryGetValue(restaurantId, out var map) && map.TryRemove(order.OrderId, out _))
            {
                hub.Publish(SseHub.RestaurantKey(restaurantId), "gone", new { orderId = order.OrderId });
            }
            eta.Forget(order.RiderId, "rest:" + order.OrderId);
        }
    }

    protected override ValueTask HandleAsync(RiderUpdate update, CancellationToken cancellationToken)
    {
        double speed = eta.ObserveSpeed(update.RiderId, update.Lat, update.Lon, update.Ts, update.SpeedMps);
        OrderState? order = CustomerWorker.OrderOf(Book, update);
        if (order is not { RestaurantId: { } restaurantId, PickedUpTs: null })
        {
            return ValueTask.CompletedTask;
        }
        string key = SseHub.RestaurantKey(restaurantId);
        double straight = GeoMath.DistanceMeters(update.Lat, update.Lon, order.Restaurant.Lat, order.Restaurant.Lon);
        bool arrived = straight <= ArrivalMeters;
        int etaSeconds = arrived ? 0 : eta.EtaSeconds(update.RiderId, "rest:" + order.OrderId, update.Lat, update.Lon, order.Restaurant.Lat, order.Restaurant.Lon, speed);
        var map = _incoming.GetOrAdd(restaurantId, _ => new(StringComparer.Ordinal));
        map[order.OrderId] = new Incoming(order.OrderId, update.RiderId, update.Lat, update.Lon, etaSeconds, update.Ts, arrived || _arrived.ContainsKey(order.OrderId));
        hub.Publish(key, "incoming", new { orderId = order.OrderId, riderId = update.RiderId, lat = update.Lat, lon = update.Lon, etaSeconds, ts = update.Ts }, order.OrderId, update.Ts);
        if (arrived && _arrived.TryAdd(order.OrderId, 0))
        {
            hub.Publish(key, "arrived", new { orderId = order.OrderId, riderId = update.RiderId, ts = update.Ts });
        }
        return ValueTask.CompletedTask;
    }
}
