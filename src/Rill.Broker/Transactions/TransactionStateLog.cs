using Rill.Broker.Topics;
using Rill.Coordination.Groups;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Records;

namespace Rill.Broker.Transactions;

/// <summary>
/// The transaction coordinator's records in the internal compacted topic __transaction_state
/// (transaction.state.log.num.partitions partitions, 50 by default, partitioned by transactional
/// id as Kafka does). Created on the first write, replayed at start.
/// </summary>
internal sealed class TransactionStateLog : ITransactionStateLog
{
    public const string TopicName = "__transaction_state";
    private readonly TopicManager _topics;
    private readonly int _partitions;
    private readonly string _segmentBytes;
    private readonly TimeProvider _time;

    public TransactionStateLog(TopicManager topics, int partitions, int segmentBytes, TimeProvider time)
    {
        _topics = topics;
        _partitions = partitions;
        _segmentBytes = segmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _time = time;
    }

    /// <summary>Cluster mode: a replicated cluster topic; only the partition's leader writes, and a write counts once the ISR has it.</summary>
    public bool Replicated { get; set; }

    /// <summary>How long a replicated write waits for the ISR.</summary>
    public int CommitTimeoutMs { get; set; } = 5000;

    public void Append(string transactionalId, byte[] key, byte[]? value)
    {
        Topic topic = _topics.Find(TopicName) ?? (Replicated
            ? throw new GroupStateLogException(ErrorCode.NotCoordinator, $"{TopicName} does not exist on this broker yet.")
            : Create());
        Partition partition = topic.GetPartition(ConsumerOffsetsLog.PartitionFor(transactionalId, topic.Partitions.Length))!;
        Replication.CoordinatorWrites.CheckLeader(partition);
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // A null byte[] would convert to an empty (not null) ReadOnlyMemory: a tombstone needs a null value.
        byte[] batch = RecordBatchBuilder.Build([new RecordData(now, key, value is null ? (ReadOnlyMemory<byte>?)null : value)]);
        PartitionAppendResult result = partition.Append(batch, produceVersion: 11);
        if (result.Error != ErrorCode.None)
        {
            throw new GroupStateLogException(result.Error, $"Writing to {TopicName}-{partition.Index} failed: {result.Error} {result.ErrorMessage}");
        }
        Replication.CoordinatorWrites.AwaitCommitted(partition, partition.Log.LogEndOffset - 1, CommitTimeoutMs, notifyReplica: false);
    }

    /// <summary>Every record of the topic, partition by partition, oldest first.</summary>
    public IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> ReadAll()
    {
        Topic? topic = _topics.Find(TopicName);
        if (topic is null)
        {
            yield break;
        }
        foreach (Partition partition in topic.Partitions)
        {
            foreach (var record in ReadPartition(partition))
            {
                yield return record;
            }
        }
    }

    /// <summary>One partition's records, oldest first.</summary>
    public static IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> ReadPartition(Partition partition)
    {
        foreach (InternalRecord record in InternalTopicReader.Read(partition))
        {
            if (record.Key is { } key && record.Marker is null)
            {
                yield return (key, record.Value);
            }
        }
    }

    private Topic Create()
    {
        var result = _topics.Create(TopicName, _partitions, 1,
            [new("cleanup.policy", "compact"), new("segment.bytes", _segmentBytes)], validateOnly: false);
        return result.Topic ?? _topics.Find(TopicName)
            ?? throw new InvalidOperationException($"Cannot create {TopicName}: {result.Error} {result.Message}");
    }
}
