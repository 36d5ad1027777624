using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using Rill.Broker.Topics;
using Rill.Protocol;

namespace Rill.Broker.Metrics;

/// <summary>
/// Gauges read from the broker's state when a reader collects (a Prometheus scrape, an OTLP export),
/// never on a hot path: log size and segments per partition, partition health, the controller, the
/// cleaner, groups by state and consumer lag. One instance per <see cref="KafkaBroker"/>, on its own
/// meter <c>Rill.Broker.State</c>, disposed with the broker.
/// </summary>
internal sealed class BrokerStateMetrics : IDisposable
{
    private readonly KafkaBroker _broker;
    private readonly Meter _meter;

    public BrokerStateMetrics(KafkaBroker broker)
    {
        _broker = broker;
        _meter = new Meter(BrokerMeters.StateMeterName);
        _meter.CreateObservableGauge("rill.log.size", () => PerPartition(p => p.OpenedLog?.SizeInBytes ?? 0), "By",
            "Bytes on disk per partition (Kafka: kafka.log:type=Log,name=Size)");
        _meter.CreateObservableGauge("rill.log.segments", () => PerPartition(p => p.OpenedLog?.SegmentCount ?? 0), "{segment}",
            "Segments per partition (Kafka: kafka.log:type=Log,name=NumLogSegments)");
        _meter.CreateObservableGauge("rill.log.start.offset", () => PerPartition(p => p.LogStartOffset), "{offset}",
            "Log start offset per partition (Kafka: kafka.log:type=Log,name=LogStartOffset)");
        _meter.CreateObservableGauge("rill.log.end.offset", () => PerPartition(p => p.HighWatermark), "{offset}",
            "Log end offset per partition (Kafka: kafka.log:type=Log,name=LogEndOffset)");
        _meter.CreateObservableGauge("rill.partition.count", () => (long)Partitions().Count(), "{partition}",
            "Partitions on this broker (Kafka: ReplicaManager PartitionCount)");
        _meter.CreateObservableGauge("rill.partition.leader.count", () => (long)Partitions().Count(), "{partition}",
            "Partitions this broker leads; every one on a single node (Kafka: ReplicaManager LeaderCount)");
        _meter.CreateObservableGauge("rill.partition.under_replicated", () => 0L, "{partition}",
            "Partitions with fewer in-sync replicas than replicas; 0 on a single node (Kafka: ReplicaManager UnderReplicatedPartitions)");
        _meter.CreateObservableGauge("rill.partition.offline", () => 0L, "{partition}",
            "Partitions without a leader; 0 on a single node (Kafka: KafkaController OfflinePartitionsCount)");
        _meter.CreateObservableGauge("rill.partition.under_min_isr", () => 0L, "{partition}",
            "Partitions with fewer in-sync replicas than min.insync.replicas (Kafka: ReplicaManager UnderMinIsrPartitionCount)");
        _meter.CreateObservableGauge("rill.partition.at_min_isr", () => (long)Partitions().Count(p => p.Topic.Config.MinInsyncReplicas == 1), "{partition}",
            "Partitions whose in-sync replica count (1 here) equals min.insync.replicas (Kafka: ReplicaManager AtMinIsrPartitionCount)");
        _meter.CreateObservableGauge("rill.controller.active", () => 1L, "{controller}",
            "1 on the active controller; a single node is its own controller (Kafka: KafkaController ActiveControllerCount)");
        _meter.CreateObservableCounter("rill.cleaner.bytes.cleaned", () => _broker.Topics.Cleaner?.BytesCleaned ?? 0L, "By",
            "Bytes the log cleaner has read and rewritten (Kafka: LogCleaner cleaner-recopy-percent / kafka.log:type=LogCleaner)");
        _meter.CreateObservableCounter("rill.cleaner.runs", () => _broker.Topics.Cleaner?.Runs ?? 0L, "{run}",
            "Cleaner passes completed (Kafka: kafka.log:type=LogCleanerManager)");
        _meter.CreateObservableGauge("rill.group.count", GroupsByState, "{group}",
            "Groups by state and type (Kafka: GroupMetadataManager NumGroups, NumGroupsStable, NumGroupsEmpty, ...)");
        _meter.CreateObservableGauge("rill.consumer.lag.records", () => Lag(seconds: false), "{record}",
            "Log end offset minus the committed offset, per group and partition (kafka-lag-exporter / Burrow; Kafka: records-lag on the client)");
        _meter.CreateObservableGauge("rill.consumer.lag.seconds", () => Lag(seconds: true), "s",
            "Age of the first record not yet committed (0 when caught up), per group and partition (kafka-lag-exporter's time lag)");
    }

    private IEnumerable<Partition> Partitions() => _broker.Topics.All.SelectMany(t => t.Partitions);

    private IEnumerable<Measurement<long>> PerPartition(Func<Partition, long> value)
    {
        foreach (Partition p in Partitions())
        {
            yield return new Measurement<long>(value(p), new KeyValuePair<string, object?>("topic", p.Topic.Name),
                new KeyValuePair<string, object?>("partition", p.Index));
        }
    }

    private IEnumerable<Measurement<long>> GroupsByState()
    {
        var groups = _broker.Groups.ListAsync().GetAwaiter().GetResult();
        foreach (var g in groups.GroupBy(g => (g.State, g.GroupType)))
        {
            yield return new Measurement<long>(g.Count(), new KeyValuePair<string, object?>("state", g.Key.State),
                new KeyValuePair<string, object?>("type", g.Key.GroupType));
        }
    }

    private IEnumerable<Measurement<double>> Lag(bool seconds)
    {
        long nowMs = _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (string group in _broker.Groups.GroupIdsWithOffsets())
        {
            foreach (var (topic, index, committed) in _broker.Groups.FetchAllOffsets(group))
            {
                if (_broker.Topics.Find(topic)?.GetPartition(index) is not { } partition)
                {
                    continue;
                }
                long lag = Math.Max(0, partition.HighWatermark - Math.Max(committed.Offset, 0));
                double value = seconds ? (lag == 0 ? 0 : LagSeconds(partition, committed.Offset, nowMs)) : lag;
                yield return new Measurement<double>(value, new KeyValuePair<string, object?>("group", group),
                    new KeyValuePair<string, object?>("topic", topic), new KeyValuePair<string, object?>("partition", index));
            }
        }
    }

    /// <summary>
    /// How long ago the first uncommitted record was written: the timestamp of the batch holding the
    /// committed offset (its first timestamp, or its max timestamp under LogAppendTime), so a batch
    /// spanning several records may add the batch's own time span.
    /// </summary>
    internal static double LagSeconds(Partition partition, long committed, long nowMs)
    {
        long offset = Math.Max(committed, partition.LogStartOffset);
        Span<byte> header = stackalloc byte[RecordBatchHeaderSize];
        try
        {
            var read = partition.Log.Read(offset, RecordBatchHeaderSize, minOneBatch: true);
            if (read.Error != ErrorCode.None || read.CopyTo(header) < RecordBatchHeaderSize)
            {
                return 0;
            }
        }
        catch (ObjectDisposedException)
        {
            return 0; // the segment went away (retention) between locating and reading
        }
        short attributes = BinaryPrimitives.ReadInt16BigEndian(header[21..]);
        bool logAppendTime = (attributes & 0x08) != 0;
        long timestamp = BinaryPrimitives.ReadInt64BigEndian(header[(logAppendTime ? 35 : 27)..]);
        return timestamp <= 0 ? 0 : Math.Max(0, (nowMs - timestamp) / 1000.0);
    }

    /// <summary>baseOffset 8, length 4, leader epoch 4, magic 1, crc 4, attributes 2, lastOffsetDelta 4, first and max timestamp 8 + 8.</summary>
    private const int RecordBatchHeaderSize = 43;

    public void Dispose() => _meter.Dispose();
}
