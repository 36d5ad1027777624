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
}
