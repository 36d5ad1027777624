using Rill.Broker.Topics;
using Rill.Coordination.Groups;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Storage.Producers;

namespace Rill.Broker.Transactions;

/// <summary>
/// Writes a transaction's commit/abort markers (<see cref="ControlRecord.BuildMarker"/>) to every
/// partition of it, through the log-level append (no client validation: a control batch is not a
/// produce). A partition of __consumer_offsets then settles the offsets the transaction committed
/// there (TxnOffsetCommit): visible on commit, dropped on abort. Partitions of topics deleted
/// since are skipped, as Kafka does. Any other failure faults the task and the coordinator
/// writes the whole set again later (a second marker of a decided transaction changes nothing).
/// </summary>
internal sealed class TransactionMarkerWriter : ITransactionMarkerWriter
{
    private readonly TopicManager _topics;
    private readonly GroupCoordinator _groups;
    private readonly TimeProvider _time;

    public TransactionMarkerWriter(TopicManager topics, GroupCoordinator groups, TimeProvider time)
    {
        _topics = topics;
        _groups = groups;
        _time = time;
    }

    /// <summary>How long a replicated marker waits for the partition's ISR.</summary>
    internal int MarkerTimeoutMs { get; set; } = 5000;

    /// <summary>The coordinator epoch carried by every marker (set at start).</summary>
    public int CoordinatorEpoch { get; set; }

    /// <summary>Markers written since start (metrics and tests).</summary>
    public long MarkersWritten => Interlocked.Read(ref _markersWritten);
    private long _markersWritten;

    public Task WriteMarkersAsync(long producerId, short producerEpoch, bool commit, IReadOnlyCollection<TxnPartition> partitions)
        => Task.Run(() => WriteAll(null, producerId, producerEpoch, commit, partitions));

    public Task WriteMarkersAsync(string transactionalId, long producerId, short producerEpoch, bool commit, IReadOnlyCollection<TxnPartition> partitions)
        => Task.Run(() => WriteAll(transactionalId, producerId, producerEpoch, commit, partitions));

    /// <summary>Cluster mode: markers of partitions led by other brokers are sent to them; null on a single node.</summary>
    internal Replication.ClusterMarkerRoute? Cluster { get; set; }

    /// <summary>Fault injection for tests: while it returns false for a partition, its marker write fails.</summary>
    internal Func<TxnPartition, bool>? AllowWrite { get; set; }

    private async Task WriteAll(string? transactionalId, long producerId, short producerEpoch, bool commit, IReadOnlyCollection<TxnPartition> partitions)
    {
        int coordinatorEpoch = Cluster is { } cluster && transactionalId is not null ? cluster.CoordinatorEpochOf(transactionalId) : CoordinatorEpoch;
        foreach (TxnPartition tp in partitions)
        {
            if (AllowWrite is { } allow && !allow(tp))
            {
                throw new IOException($"Marker write to {tp.Topic}-{tp.Partition} refused by the test hook.");
            }
            ErrorCode error = Cluster is { } route
                ? await route.WriteAsync(this, producerId, producerEpoch, commit, coordinatorEpoch, tp).ConfigureAwait(false)
                : await AppendMarkerAsync(producerId, producerEpoch, commit, coordinatorEpoch, tp).ConfigureAwait(false);
            if (error is not (ErrorCode.None or ErrorCode.UnknownTopicOrPartition))
            {
                throw new IOException($"Writing the {(commit ? "commit" : "abort")} marker of producer {producerId} to {tp.Topic}-{tp.Partition} failed: {error}");
            }
        }
    }

    /// <summary>
    /// Appends one marker to one local partition (also for WriteTxnMarkers, e.g. an admin aborting a
    /// hanging transaction): UNKNOWN_TOPIC_OR_PARTITION when the partition is gone, the log's error
    /// when it refuses the marker (an older producer epoch or coordinator epoch).
    /// </summary>
    public async Task<ErrorCode> AppendMarkerAsync(long producerId, short producerEpoch, bool commit, int coordinatorEpoch, TxnPartition tp)
    {
        Partition? partition = _topics.Find(tp.Topic)?.GetPartition(tp.Partition);
        if (partition is null)
        {
            return ErrorCode.UnknownTopicOrPartition;
        }
        if (partition.Replica is { IsLeader: false })
        {
            return ErrorCode.NotLeaderOrFollower; // cluster mode: the marker goes to the partition's leader
        }
        byte[] marker = ControlRecord.BuildMarker(producerId, producerEpoch, commit, coordinatorEpoch, _time.GetUtcNow().ToUnixTimeMilliseconds());
        var result = partition.Log.Append(marker);
        if (result.Error != ErrorCode.None)
        {
            return result.Error;
        }
        Interlocked.Increment(ref _markersWritten);
        partition.Appended.Notify();
        // Cluster mode: written with acks=all, as Kafka's coordinator sends its markers (a no-op on a single node).
        ErrorCode committed = await Replication.CoordinatorWrites.CommittedAsync(partition, result.LastOffset, MarkerTimeoutMs).ConfigureAwait(false);
        if (committed != ErrorCode.None)
        {
            return committed;
        }
        if (tp.Topic == ConsumerOffsetsLog.TopicName)
        {
            int count = partition.Topic.Partitions.Length;
            await _groups.CompleteTransactionAsync(producerId, commit,
                group => ConsumerOffsetsLog.PartitionFor(group, count) == tp.Partition).ConfigureAwait(false);
        }
        return ErrorCode.None;
    }
}
