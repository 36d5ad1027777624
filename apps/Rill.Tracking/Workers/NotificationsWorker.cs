using System.Collections.Concurrent;
using Rill.Tracking.Geo;
using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Workers;

/// <summary>
/// Group tracking-notifications: "your rider is near". A geofence around the customer's address with
/// hysteresis (inside below <see cref="EnterMeters"/>, outside again only beyond <see cref="ExitMeters"/>)
/// produces exactly one `near` event per order to order-events:
/// - before consuming, the worker waits until the order book has read order-events to its end, so
///   orders notified before a crash or by another instance are known;
/// - the event is produced with acks=all and awaited before the record's offset can be committed,
///   so a crash either replays the update (and finds the event in the book) or never produced it.
/// </summary>
public sealed class NotificationsWorker(KafkaRuntime kafka, RoleStatus status, OrderBook book, OrderEventProducer events,
    ILogger<NotificationsWorker> logger) : GroupWorker(kafka, status, logger)
{
    public const double EnterMeters = 150;
    public const double ExitMeters = 250;

    private readonly ConcurrentDictionary<string, bool> _inside = new(StringComparer.Ordinal);
    private long _produced;

    protected override Roles Role => Roles.Notifications;
    protected override string GroupId => GroupIds.Notifications;

    /// <summary>Near events this instance produced (for tests and stats).</summary>
    public long Produced => Interlocked.Read(ref _produced);

    protected override async Task StartingAsync(CancellationToken cancellationToken)
    {
        await book.CaughtUp.WaitAsync(cancellationToken);
    }

    protected override async ValueTask HandleAsync(RiderUpdate update, CancellationToken cancellationToken)
    {
        OrderState? order = CustomerWorker.OrderOf(book, update);
        if (order is null || order.NearTs is not null)
        {
            return;
        }
        double meters = GeoMath.DistanceMeters(update.Lat, update.Lon, order.Customer.Lat, order.Customer.Lon);
        bool wasInside = _inside.TryGetValue(order.OrderId, out bool inside) && inside;
        if (!wasInside && meters <= EnterMeters)
        {
            _inside[order.OrderId] = true;
            var near = new OrderEvent(OrderEvent.Near, order.OrderId, update.Ts, RiderId: update.RiderId);
            await events.PublishAsync(near, cancellationToken); // acks=all, before this offset can be committed
            Interlocked.Increment(ref _produced);
        }
        else if (wasInside && meters > ExitMeters)
        {
            _inside[order.OrderId] = false;
        }
    }
}
