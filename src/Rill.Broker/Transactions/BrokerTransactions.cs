using Microsoft.Extensions.Logging;
using Rill.Broker.Config;
using Rill.Broker.Topics;
using Rill.Coordination.Groups;
using Rill.Coordination.Transactions;

namespace Rill.Broker.Transactions;

/// <summary>
/// The broker's transaction coordinator with what it writes to: __transaction_state
/// (<see cref="TransactionStateLog"/>) and the markers (<see cref="TransactionMarkerWriter"/>).
/// Its timers (timed-out transactions, expired transactional ids) run on the broker's clock.
/// </summary>
internal sealed class BrokerTransactions : IDisposable
{
    private readonly BrokerConfig _config;

    public BrokerTransactions(BrokerConfig config, TopicManager topics, GroupCoordinator groups, TimeProvider time)
    {
        _config = config;
        Feature = new TransactionVersionFeature(config.TransactionVersion, time.GetUtcNow().ToUnixTimeMilliseconds());
        Log = new TransactionStateLog(topics, config.TransactionStateLogNumPartitions, config.TransactionStateLogSegmentBytes, time);
        Markers = new TransactionMarkerWriter(topics, groups, time);
        Coordinator = new TransactionCoordinator(new TransactionCoordinatorOptions
        {
            MaxTimeoutMs = config.TransactionMaxTimeoutMs,
            IdExpirationMs = config.TransactionalIdExpirationMs,
            AbortCheckIntervalMs = config.TransactionAbortTimedOutCleanupIntervalMs,
            RemoveExpiredIntervalMs = config.TransactionRemoveExpiredCleanupIntervalMs,
        }, new Allocator(topics), Markers, Log, time);
    }

    public TransactionCoordinator Coordinator { get; }
    /// <summary>The transaction.version feature: finalized level and what ApiVersions says of it.</summary>
    public TransactionVersionFeature Feature { get; }
    public TransactionStateLog Log { get; }
    public TransactionMarkerWriter Markers { get; }

    /// <summary>Requests answer COORDINATOR_LOAD_IN_PROGRESS until <see cref="Load"/> ends.</summary>
    public void BeginLoading() => Coordinator.BeginLoading();

    /// <summary>Raises the coordinator epoch and replays __transaction_state (prepared transactions get their markers again).</summary>
    public void Load(ILogger log)
    {
        Markers.CoordinatorEpoch = CoordinatorEpoch.Next(_config.LogDirs[0]);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        int records = Coordinator.Load(Log.ReadAll());
        log.LogInformation("Loaded {Records} records of {Topic} in {Elapsed} ms (coordinator epoch {Epoch})", records,
            TransactionStateLog.TopicName, (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Markers.CoordinatorEpoch);
    }

    /// <summary>
    /// KIP-890 part 1's check that a transactional write to <paramref name="partition"/> belongs to the producer's
    /// ongoing transaction. In a cluster another broker may coordinate the id: then that broker is asked
    /// (<see cref="Replication.RemoteTxnVerification"/>).
    /// </summary>
    public Task<Protocol.ErrorCode> VerifyPartitionAsync(string transactionalId, long producerId, short producerEpoch, TxnPartition partition)
        => Remote is { } remote && Coordinator.Availability(transactionalId) == Protocol.ErrorCode.NotCoordinator
            ? remote.VerifyAsync(transactionalId, producerId, producerEpoch, partition)
            : Coordinator.VerifyPartitionAsync(transactionalId, producerId, producerEpoch, partition);

    /// <summary>
    /// KIP-890 part 2's add on the producer's behalf (a transactions-v2 Produce v12 or TxnOffsetCommit v5): by this
    /// broker's coordinator, or in a cluster by the coordinator's broker when another broker owns the id.
    /// </summary>
    public Task<Protocol.ErrorCode> AddPartitionsV2Async(string transactionalId, long producerId, short producerEpoch,
        IReadOnlyList<TxnPartition> partitions)
        => Remote is { } remote && Coordinator.Availability(transactionalId) == Protocol.ErrorCode.NotCoordinator
            ? remote.AddAsync(transactionalId, producerId, producerEpoch, partitions)
            : Coordinator.AddPartitionsAsync(transactionalId, producerId, producerEpoch, partitions, TransactionCoordinator.TransactionVersion2);

    /// <summary>Cluster mode: verification with the transaction coordinator on another broker; null on a single node.</summary>
    internal Replication.RemoteTxnVerification? Remote { get; set; }

    public void Dispose() => Coordinator.Dispose();

    private sealed class Allocator(TopicManager topics) : IProducerIdAllocator
    {
        public long Next() => topics.ProducerIds.Next();
    }
}
