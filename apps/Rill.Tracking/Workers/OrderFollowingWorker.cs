using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;

namespace Rill.Tracking.Workers;

/// <summary>A group worker that also follows the order book's changes while it runs.</summary>
public abstract class OrderFollowingWorker(KafkaRuntime kafka, RoleStatus status, OrderBook book, ILogger logger)
    : GroupWorker(kafka, status, logger)
{
    protected OrderBook Book => book;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        book.Changed += OnOrderChanged;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        book.Changed -= OnOrderChanged;
        return base.StopAsync(cancellationToken);
    }

    /// <summary>Called on the order book's thread for every order event.</summary>
    protected abstract void OnOrderChanged(OrderEvent e, OrderState order);
}
