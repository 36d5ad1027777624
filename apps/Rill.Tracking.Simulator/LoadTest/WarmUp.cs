using System.Diagnostics;
using Rill.Tracking.City;
using Rill.Tracking.Simulator.Api;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.LoadTest;

/// <summary>
/// One rider and one order through every endpoint before any measurement: a freshly started app answers /health
/// before its first produce to each topic has gone through (that first produce took ~10 s here), and the numbers of
/// the first phase should not include it.
/// </summary>
static class WarmUp
{
    public static async Task<TimeSpan> RunAsync(AppClient app, CityModel city, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        string rider = $"warmup-{Environment.ProcessId}";
        string token = await app.CreateRiderAsync(rider, Regions.Center, ct);
        var restaurant = city.Restaurants[0];
        var customer = city.Addresses[0].Location;
        string order = rider + "-o1";
        await app.CreateOrderAsync(order, rider, restaurant, customer, ct);
        await using var client = new RiderSocketClient(rider);
        await client.ConnectAsync(app.BaseUri, token, ct);
        for (int i = 0; i < 10; i++)
            await client.SendAsync(order, restaurant.Lat, restaurant.Lon, 0, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ct: ct);
        if (!await client.WaitAllAckedAsync(TimeSpan.FromSeconds(60), ct))
            throw new TimeoutException("warm-up: the app did not ack 10 updates within 60 s");
        await app.PickedUpAsync(order, ct);
        await app.DeliveredAsync(order, ct);
        await app.GetStatsAsync(ct);
        await client.CloseAsync(ct);
        return sw.Elapsed;
    }
}
