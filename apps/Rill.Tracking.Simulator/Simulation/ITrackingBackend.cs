using Rill.Tracking.City;

namespace Rill.Tracking.Simulator.Simulation;

/// <summary>
/// What the riders and customers of a simulation talk to: the Rill tracking app (WebSocket ingest, SSE to
/// customers) or the database approach (an INSERT per update, customers polling). The same fleet drives both.
/// </summary>
interface ITrackingBackend : IAsyncDisposable
{
    string Name { get; }
    Task<IRiderLink> ConnectRiderAsync(string riderId, string region, CancellationToken ct);
    Task<string> CreateOrderAsync(string orderId, string riderId, Restaurant restaurant, GeoPoint customer, CancellationToken ct);
    Task PickedUpAsync(string orderId, CancellationToken ct);
    Task DeliveredAsync(string orderId, CancellationToken ct);
    /// <summary>Runs the customer of an order until cancelled, reporting each position it receives to the watch.</summary>
    Task WatchOrderAsync(OrderWatch watch, CancellationToken ct);
}

/// <summary>One rider's phone connection.</summary>
interface IRiderLink : IAsyncDisposable
{
    /// <summary>Sends a fix; completes when the backend took it (WebSocket: sent, acked later; database: inserted).</summary>
    ValueTask SendAsync(string? orderId, RiderPosition fix, long tsMs, CancellationToken ct);
    long Sent { get; }
    long Acked { get; }
    long Errors { get; }
    long Unacked { get; }
    /// <summary>Waits until everything sent is acked; false on timeout or a lost connection.</summary>
    Task<bool> DrainAsync(TimeSpan timeout);
    /// <summary>Why the link ended, if the backend closed it.</summary>
    string? Closed { get; }
}
