using Rill.Tracking.Geo;
using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;
using Rill.Tracking.Streaming;

namespace Rill.Tracking.Workers;

/// <summary>
/// Group tracking-customer: pushes each position of a rider on an order to the SSE subscribers of
/// that order only (channel "order:ID"), with the ETA to the customer; relays the order's near and
/// delivered events from order-events.
/// </summary>
public sealed class CustomerWorker(KafkaRuntime kafka, RoleStatus status, OrderBook book, SseHub hub, EtaEstimator eta,
    RiderLatestFollower latest, ILogger<CustomerWorker> logger) : OrderFollowingWorker(kafka, status, book, logger)
{
    protected override Roles Role => Roles.Customer;
    protected override string GroupId => GroupIds.Customer;

    protected override void OnOrderChanged(OrderEvent e, OrderState order)
    {
        string key = SseHub.OrderKey(order.OrderId);
        switch (e.Type)
        {
            case OrderEvent.Near:
                hub.Publish(key, "near", new { orderId = order.OrderId, riderId = order.RiderId, ts = e.Ts });
                break;
            case OrderEvent.Delivered:
                hub.Publish(key, "delivered", new { orderId = order.OrderId, ts = e.Ts });
                break;
        }
    }

    protected override ValueTask HandleAsync(RiderUpdate update, CancellationToken cancellationToken)
    {
        latest.Observe(update);
        double speed = eta.ObserveSpeed(update.RiderId, update.Lat, update.Lon, update.Ts, update.SpeedMps);
        OrderState? order = OrderSentFor(Book, update);
        if (order is null)
        {
            return ValueTask.CompletedTask;
        }
        string key = SseHub.OrderKey(order.OrderId);
        if (hub.HasSubscribers(key))
        {
            hub.Publish(key, "position", Position(eta, order, update, speed), update.RiderId, update.Ts);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The order whose customer gets this position: its orderId (else the rider's last order) if that order is this
    /// rider's and the position was sent before the order was delivered. Decided by the position's timestamps, not by
    /// the order's state when the position reaches this group, so positions in flight at `delivered` still arrive.
    /// </summary>
    internal static OrderState? OrderSentFor(OrderBook book, RiderUpdate update)
    {
        OrderState? order = update.OrderId is { } id ? book.Find(id) : book.LastOrderOf(update.RiderId);
        return order is not null && order.RiderId == update.RiderId && order.WasActiveAt(update.Ts, update.ReceivedTs) ? order : null;
    }

    /// <summary>The order an update belongs to: its orderId if that order is this rider's, else the rider's active order.</summary>
    internal static OrderState? OrderOf(OrderBook book, RiderUpdate update)
    {
        OrderState? order = update.OrderId is { } id ? book.Find(id) : book.ActiveOrderOf(update.RiderId);
        return order is { Active: true } && order.RiderId == update.RiderId ? order : null;
    }

    /// <summary>The `position` event: ETA to the customer (via the restaurant until picked up).</summary>
    internal static object Position(EtaEstimator eta, OrderState order, RiderUpdate update, double speed) => new
    {
        riderId = update.RiderId,
        lat = update.Lat,
        lon = update.Lon,
        ts = update.Ts,
        etaSeconds = EtaToCustomer(eta, order, update.Lat, update.Lon, speed),
    };

    internal static int EtaToCustomer(EtaEstimator eta, OrderState order, double lat, double lon, double speed)
    {
        double meters;
        if (order.PickedUpTs is not null || order.RestaurantId is null)
        {
            meters = eta.RoadDistanceMeters(order.RiderId, "c:" + order.OrderId, lat, lon, order.Customer.Lat, order.Customer.Lon);
        }
        else
        {
            meters = eta.RoadDistanceMeters(order.RiderId, "r:" + order.OrderId, lat, lon, order.Restaurant.Lat, order.Restaurant.Lon)
                     + eta.RoadDistanceMeters("-", "rc:" + order.OrderId, order.Restaurant.Lat, order.Restaurant.Lon, order.Customer.Lat, order.Customer.Lon);
        }
        return (int)Math.Round(meters / Math.Max(EtaEstimator.MinSpeedMps, speed));
    }
}
