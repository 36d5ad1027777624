using Rill.Tracking.City;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.Simulation;

/// <summary>
/// One rider: rides from where it is to a restaurant with an assigned order, picks it up, rides to the customer and
/// delivers, then takes the next order; sends a fix at the fleet's rate the whole time.
/// </summary>
sealed class SimulatedRider(Fleet fleet, string riderId, int seed)
{
    readonly Random _rng = new(seed);
    readonly CityModel _city = fleet.City;
    IRiderLink? _link;
    GeoPoint _position;
    Pacer? _pacer;
    int _orders;
    long _lastTs;

    public string RiderId { get; } = riderId;
    public IRiderLink? Link => _link;
    public long LateRestarts => _pacer?.LateRestarts ?? 0;

    public async Task ConnectAsync(CancellationToken ct)
    {
        _position = _city.Addresses[_rng.Next(_city.Addresses.Count)].Location;
        string region = _city.RegionOf(_position.Lat, _position.Lon);
        _link = await fleet.Backend.ConnectRiderAsync(RiderId, region, ct);
        _pacer = new Pacer(fleet.Options.Rate, _rng.NextDouble());
    }

    public async Task RunAsync(CancellationToken ct)
    {
        var link = _link ?? throw new InvalidOperationException("Connect first.");
        try
        {
            while (!ct.IsCancellationRequested && !fleet.BudgetExhausted)
            {
                var restaurant = _city.Restaurants[_rng.Next(_city.Restaurants.Count)];
                var customer = _city.Addresses[_rng.Next(_city.Addresses.Count)].Location;
                string orderId = $"{RiderId}-o{++_orders}";
                string customerToken = await fleet.Backend.CreateOrderAsync(orderId, RiderId, restaurant, customer, ct);
                fleet.OrderCreated(orderId, RiderId, customerToken, restaurant.Id);
                try
                {
                    if (!await RideAsync(link, orderId, restaurant.Location, ct)) return;
                    await fleet.Backend.PickedUpAsync(orderId, ct);
                    if (!await RideAsync(link, orderId, customer, ct)) return;
                    await fleet.Backend.DeliveredAsync(orderId, ct);
                    fleet.OrderDelivered();
                }
                finally
                {
                    fleet.OrderEnded(orderId);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>Rides to a destination sending fixes; false if the fleet stopped the ride (cancel, budget, lost link).</summary>
    async Task<bool> RideAsync(IRiderLink link, string orderId, GeoPoint destination, CancellationToken ct)
    {
        var route = _city.RouteBetween(_position, destination);
        var movement = new RiderMovement(route, fleet.Options.CruiseSpeedMps * (0.8 + _rng.NextDouble() * 0.4), _rng.Next());
        double step = fleet.Options.TimeScale / fleet.Options.Rate;
        var watch = fleet.WatchOf(orderId);
        while (true)
        {
            await _pacer!.WaitAsync(ct);
            if (!fleet.TakeBudget()) return false;
            if (link.Closed is not null) return false;
            var fix = movement.Advance(step);
            // A phone's timestamps only go forward: two fixes in one millisecond get consecutive ones.
            long ts = _lastTs = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _lastTs + 1);
            watch?.OnSent(ts);
            await link.SendAsync(orderId, fix, ts, CancellationToken.None);   // cancelling a WebSocket send aborts the socket
            _position = movement.TruePosition;
            if (movement.Arrived) return true;
        }
    }
}
