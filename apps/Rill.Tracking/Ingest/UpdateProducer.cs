using Rill.Client;
using Rill.Tracking.Hosting;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Ingest;

/// <summary>
/// Produces an accepted update to rider-updates (key = rider id, partition from the region map)
/// and to rider-latest (compacted, key = rider id), acks=all with idempotence. The returned task
/// completes when the broker acknowledged both; the producer retries through a broker restart
/// for up to delivery.timeout.ms.
/// </summary>
public sealed class UpdateProducer : IAsyncDisposable
{
    private readonly Producer<string, byte[]> _producer;
    private readonly RegionPartitionMap _map;

    public UpdateProducer(KafkaRuntime kafka)
    {
        _producer = new Producer<string, byte[]>(kafka.ProducerConfig("rill-tracking-ingest"));
        _map = kafka.PartitionMap;
    }

    public async Task ProduceAsync(RiderUpdate update, CancellationToken cancellationToken)
    {
        byte[] value = TrackingJson.Serialize(update);
        int partition = _map.PartitionFor(update.Region, update.RiderId);
        Task<DeliveryResult> main = _producer.ProduceAsync(TopicNames.RiderUpdates,
            new Message<string, byte[]> { Key = update.RiderId, Value = value, Partition = partition, Timestamp = update.ReceivedTs }, cancellationToken);
        Task<DeliveryResult> latest = _producer.ProduceAsync(TopicNames.RiderLatest,
            new Message<string, byte[]> { Key = update.RiderId, Value = value, Timestamp = update.ReceivedTs }, cancellationToken);
        await Task.WhenAll(main, latest).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
