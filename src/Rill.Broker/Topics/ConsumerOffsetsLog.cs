using Rill.Coordination.Groups;
using Rill.Protocol;
using Rill.Protocol.Records;

namespace Rill.Broker.Topics;

/// <summary>
/// The coordinator's records in the internal compacted topic __consumer_offsets, partitioned by
/// group as Kafka does (abs(groupId.hashCode) % offsets.topic.num.partitions). The topic is
/// created on the first write, like Kafka creates it on first use.
/// </summary>
internal sealed partial class ConsumerOffsetsLog : IGroupStateLog
{
    public const string TopicName = "__consumer_offsets";
    private readonly TopicManager _topics;
    private readonly int _partitions;
    private readonly string _segmentBytes;
    private readonly TimeProvider _time;

    public ConsumerOffsetsLog(TopicManager topics, int partitions, int segmentBytes, TimeProvider time)
    {
        _topics = topics;
        _partitions = partitions;
        _segmentBytes = segmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _time = time;
    }

    /// <summary>
    /// Cluster mode: the topic is a replicated cluster topic (created through the metadata store, never
    /// locally here), only the partition's leader writes and a write counts once the ISR has it.
    /// </summary>
    public bool Replicated { get; set; }

    /// <summary>How long a replicated write waits for the ISR (offsets.commit.timeout.ms).</summary>
    public int CommitTimeoutMs { get; set; } = 5000;

    public void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
    {
        Partition partition = PartitionForWrite(groupId);
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // A null byte[] converts to an empty, not a null, ReadOnlyMemory: tombstones need the explicit null.
        byte[] batch = RecordBatchBuilder.Build(records.Select(r => new RecordData(now, r.Key, r.Value is null ? (ReadOnlyMemory<byte>?)null : r.Value)).ToList());
        PartitionAppendResult result = partition.Append(batch, produceVersion: 11);
        if (result.Error != ErrorCode.None)
        {
            throw new GroupStateLogException(result.Error, $"Writing to {TopicName}-{partition.Index} failed: {result.Error} {result.ErrorMessage}");
        }
        Replication.CoordinatorWrites.AwaitCommitted(partition, partition.Log.LogEndOffset - 1, CommitTimeoutMs, notifyReplica: false);
    }

    private Partition PartitionForWrite(string groupId)
    {
        Topic topic = _topics.Find(TopicName) ?? (Replicated
            ? throw new GroupStateLogException(ErrorCode.NotCoordinator, $"{TopicName} does not exist on this broker yet.")
            : Create());
        Partition partition = topic.GetPartition(PartitionFor(groupId, topic.Partitions.Length))!;
        Replication.CoordinatorWrites.CheckLeader(partition);
        return partition;
    }

    /// <summary>
    /// Every record of the topic, partition by partition, oldest first (empty when it does not
    /// exist yet). Offsets committed in a transaction count from their commit marker on, aborted
    /// ones not at all; those of transactions still open are left in <see cref="OpenTransactionalRecords"/>.
    /// </summary>
    public IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> ReadAll()
    {
        OpenTransactionalRecords.Clear();
        Topic? topic = _topics.Find(TopicName);
        if (topic is null)
        {
            yield break;
        }
        foreach (Partition partition in topic.Partitions)
        {
            foreach (var record in ReadPartition(partition, OpenTransactionalRecords))
            {
                yield return record;
            }
        }
    }

    /// <summary>One partition's records as <see cref="ReadAll"/> reads them; offsets of open transactions go to <paramref name="open"/>.</summary>
    public static IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> ReadPartition(Partition partition,
        List<(long ProducerId, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> open)
    {
        var replay = new Transactions.TransactionalReplay();
        foreach (var record in replay.Apply(Transactions.InternalTopicReader.Read(partition)))
        {
            if (record.Key is { } key)
            {
                yield return (key, record.Value);
            }
        }
        foreach (var (producerId, records) in replay.Open)
        {
            open.AddRange(records.Where(r => r.Key is not null).Select(r => (producerId, r.Key!.Value, r.Value)));
        }
    }

    private Topic Create()
    {
        var result = _topics.Create(TopicName, _partitions, 1,
            [new("cleanup.policy", "compact"), new("segment.bytes", _segmentBytes)], validateOnly: false);
        return result.Topic ?? _topics.Find(TopicName)
            ?? throw new InvalidOperationException($"Cannot create {TopicName}: {result.Error} {result.Message}");
    }

    /// <summary>Kafka's choice: Utils.abs(groupId.hashCode()) % partitions, with Java's String.hashCode.</summary>
    public static int PartitionFor(string groupId, int partitions)
    {
        int hash = 0;
        foreach (char c in groupId)
        {
            hash = unchecked(31 * hash + c);
        }
        int abs = hash == int.MinValue ? 0 : Math.Abs(hash);
        return abs % partitions;
    }
}
