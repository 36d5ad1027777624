using System.Buffers;
using System.Text.Json;
using Rill.Client;
using Rill.Tracking.Hosting;

namespace Rill.Tracking.Ingest;

/// <summary>
/// Produces an accepted frame to rider-updates (key = rider id, partition from the region map)
/// and to rider-latest (compacted, key = rider id), acks=all with idempotence. The callback runs
/// (on the producer's I/O thread) once the broker acknowledged both, or with the first error; the
/// producer retries through a broker restart for up to delivery.timeout.ms.
/// The value is the JSON of <see cref="Positions.RiderUpdate"/>, written straight from the frame
/// into the caller's buffer (the producer copies it into its batch during the call).
/// </summary>
public sealed class UpdateProducer : IAsyncDisposable
{
    private readonly Producer<string, ReadOnlyMemory<byte>> _producer;
    private readonly RegionPartitionMap _map;

    public UpdateProducer(KafkaRuntime kafka)
    {
        _producer = new Producer<string, ReadOnlyMemory<byte>>(kafka.ProducerConfig("rill-tracking-ingest"));
        _map = kafka.PartitionMap;
    }

    /// <summary>
    /// Loads both topics' metadata before the first frame: the first Produce of a topic otherwise
    /// blocks its thread on the metadata request, and a burst of connections doing that at once
    /// starved the thread pool for seconds in a 100-rider run.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await _producer.GetPartitionCountAsync(TopicNames.RiderUpdates, cancellationToken);
        await _producer.GetPartitionCountAsync(TopicNames.RiderLatest, cancellationToken);
    }

    /// <summary>Queues both records; <paramref name="done"/> gets null when both are acknowledged, else the error.</summary>
    public void Produce(string riderId, string region, in RiderFrame frame, long receivedTs, ArrayBufferWriter<byte> scratch, Action<Exception?> done)
    {
        scratch.ResetWrittenCount();
        WriteValue(scratch, riderId, region, frame, receivedTs);
        var pending = new PendingPair(done);
        ReadOnlyMemory<byte> value = scratch.WrittenMemory;
        _producer.Produce(TopicNames.RiderUpdates,
            new Message<string, ReadOnlyMemory<byte>> { Key = riderId, Value = value, Partition = _map.PartitionFor(region, riderId), Timestamp = receivedTs },
            pending.OnDelivered);
        _producer.Produce(TopicNames.RiderLatest,
            new Message<string, ReadOnlyMemory<byte>> { Key = riderId, Value = value, Timestamp = receivedTs },
            pending.OnDelivered);
    }

    /// <summary>The same JSON as serialising <see cref="Positions.RiderUpdate"/> (camelCase, nulls left out).</summary>
    internal static void WriteValue(IBufferWriter<byte> output, string riderId, string region, in RiderFrame frame, long receivedTs)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("riderId", riderId);
        if (frame.OrderId is { } orderId)
        {
            w.WriteString("orderId", orderId);
        }
        w.WriteString("region", region);
        w.WriteNumber("lat", frame.Lat);
        w.WriteNumber("lon", frame.Lon);
        if (frame.SpeedMps is { } speed)
        {
            w.WriteNumber("speedMps", speed);
        }
        if (frame.Heading is { } heading)
        {
            w.WriteNumber("heading", heading);
        }
        w.WriteNumber("ts", frame.Ts);
        if (frame.Seq is { } seq)
        {
            w.WriteNumber("seq", seq);
        }
        w.WriteNumber("receivedTs", receivedTs);
        w.WriteEndObject();
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();

    /// <summary>Completes once both deliveries reported: null when both succeeded, else the first error.</summary>
    private sealed class PendingPair(Action<Exception?> done)
    {
        private int _remaining = 2;
        private Exception? _error;

        public void OnDelivered(DeliveryResult result)
        {
            if (result.Error is { } e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                done(_error);
            }
        }
    }
}
