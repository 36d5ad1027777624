namespace Rill.Tracking.Orders;

public sealed record LatLon(double Lat, double Lon);

/// <summary>
/// A record of order-events (key = order id). Types: "assigned" (with rider, restaurant and customer),
/// "picked-up", "delivered", "near" (from the notifications group).
/// </summary>
public sealed record OrderEvent(string Type, string OrderId, long Ts, string? RiderId = null, string? RestaurantId = null,
    LatLon? Restaurant = null, LatLon? Customer = null)
{
    public const string Assigned = "assigned";
    public const string PickedUp = "picked-up";
    public const string Delivered = "delivered";
    public const string Near = "near";
}

/// <summary>What the app knows about an order, folded from its events.</summary>
public sealed class OrderState
{
    public required string OrderId { get; init; }
    public required string RiderId { get; set; }
    public string? RestaurantId { get; set; }
    public required LatLon Restaurant { get; set; }
    public required LatLon Customer { get; set; }
    public long AssignedTs { get; set; }
    public long? PickedUpTs { get; set; }
    public long? DeliveredTs { get; set; }
    public long? NearTs { get; set; }

    public bool Active => DeliveredTs is null;

    /// <summary>
    /// Whether a position was sent while this order was active, by its timestamps rather than by when it reached a
    /// consumer: delivered positions can still be in flight when `delivered` is applied. It counts when either the
    /// phone's time (ts) or the app's receive time is not after the delivered time (both ms since the epoch), so a
    /// phone clock a little behind or ahead of the app's loses nothing sent before `delivered` was posted.
    /// </summary>
    public bool WasActiveAt(long ts, long receivedTs) => DeliveredTs is not { } delivered || ts <= delivered || receivedTs <= delivered;
}
