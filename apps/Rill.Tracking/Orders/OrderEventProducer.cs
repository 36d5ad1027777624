using Rill.Client;
using Rill.Tracking.Hosting;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Orders;

/// <summary>Produces order-events (key = order id, acks=all) and applies the event to the local order book once acknowledged.</summary>
public sealed class OrderEventProducer(KafkaRuntime kafka, OrderBook book) : IAsyncDisposable
{
    private readonly Producer<string, byte[]> _producer = new(kafka.ProducerConfig("rill-tracking-orders"));

    public async Task PublishAsync(OrderEvent e, CancellationToken cancellationToken)
    {
        await _producer.ProduceAsync(TopicNames.OrderEvents, e.OrderId, TrackingJson.Serialize(e), cancellationToken);
        book.Apply(e);
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
