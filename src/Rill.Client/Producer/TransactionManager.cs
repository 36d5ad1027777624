using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Producing;

/// <summary>Where a transactional producer is, as in Kafka's Java client.</summary>
internal enum TransactionPhase
{
    Uninitialized,
    Ready,
    InTransaction,
    Committing,
    Aborting,
    /// <summary>A send or offset commit in the transaction failed: only AbortTransaction is allowed.</summary>
    AbortableError,
    /// <summary>Fenced by a newer producer with the same transactional id (or not authorized): the producer is unusable.</summary>
    FatalError,
}

/// <summary>
/// The transactional producer's side of Kafka's transaction protocol: InitProducerId with the
/// transactional id at the transaction coordinator (FindCoordinator key type 1), AddPartitionsToTxn
/// before the first batch to a partition in a transaction (called by the sender), AddOffsetsToTxn
/// and TxnOffsetCommit for consume-transform-produce, and EndTxn. Retries what Kafka marks
/// retriable, plus CONCURRENT_TRANSACTIONS (the previous transaction's markers are still being
/// written). Fencing errors are fatal; a failed send makes the transaction abort-only.
/// </summary>
internal sealed class TransactionManager(ProducerConfig config, KafkaCluster cluster)
{
    private readonly string _transactionalId = config.TransactionalId!;
    private readonly CoordinatorLookup _coordinator = new(cluster, config.TransactionalId!, CoordinatorLookup.Transaction);
    private readonly object _lock = new();
    private readonly HashSet<TopicPartition> _partitions = [];
    private bool _offsetsAdded;
    private bool _bumpAfterAbort;
    private volatile TransactionPhase _phase = TransactionPhase.Uninitialized;
    private KafkaException? _error;

    /// <summary>The producer id and epoch of this transactional id (null before InitTransactions).</summary>
    public volatile ProducerSession? Session;

    public TransactionPhase Phase => _phase;

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        if (_phase != TransactionPhase.Uninitialized)
        {
            throw new InvalidOperationException($"InitTransactions was already called (the producer is {_phase}).");
        }
        await InitProducerIdAsync(null, cancellationToken).ConfigureAwait(false);
        _phase = TransactionPhase.Ready;
    }

    /// <summary>InitProducerId for the transactional id; with <paramref name="current"/>, the KIP-360 epoch bump of this producer.</summary>
    private async Task InitProducerIdAsync(ProducerSession? current, CancellationToken cancellationToken)
    {
        var response = await SendToCoordinatorAsync<InitProducerIdResponse>(ApiKey.InitProducerId, _ => new InitProducerIdRequest
        {
            TransactionalId = _transactionalId,
            TransactionTimeoutMs = config.TransactionTimeoutMs,
            ProducerId = current?.ProducerId ?? -1,
            ProducerEpoch = current?.Epoch ?? -1,
        }, r => r.ErrorCode, "InitProducerId", cancellationToken).ConfigureAwait(false);
        Session = new ProducerSession(response.ProducerId, response.ProducerEpoch);
    }

    public void Begin()
    {
        lock (_lock)
        {
            RequirePhase("BeginTransaction", TransactionPhase.Ready);
            _partitions.Clear();
            _offsetsAdded = false;
            _error = null;
            _phase = TransactionPhase.InTransaction;
        }
    }

    /// <summary>Called for every record the producer queues: records go only into an open transaction.</summary>
    public void CheckCanSend()
    {
        TransactionPhase phase = _phase;
        if (phase == TransactionPhase.InTransaction)
        {
            return;
        }
        if (phase is TransactionPhase.AbortableError or TransactionPhase.FatalError && _error is { } error)
        {
            throw new KafkaException(error.ErrorCode, $"The transaction cannot take more records: {error.Message}", error);
        }
        throw new InvalidOperationException($"A transactional producer sends records only inside a transaction (call BeginTransaction); it is {phase}.");
    }

    /// <summary>The partitions of these batches not yet in the transaction.</summary>
    public List<TopicPartition>? NewPartitions(IEnumerable<ProducerBatch> batches)
    {
        List<TopicPartition>? added = null;
        lock (_lock)
        {
            foreach (var batch in batches)
            {
                var tp = new TopicPartition(batch.Topic, batch.Partition);
                if (!_partitions.Contains(tp) && (added is null || !added.Contains(tp)))
                {
                    (added ??= []).Add(tp);
                }
            }
        }
        return added;
    }

    /// <summary>AddPartitionsToTxn for partitions about to receive their first batch of this transaction; the error when it failed.</summary>
    public async Task<KafkaException?> AddPartitionsAsync(List<TopicPartition> partitions)
    {
        if (Session is not { } session)
        {
            return new KafkaException(ErrorCode.InvalidTxnState, "InitTransactions was not called.");
        }
        try
        {
            using var timeout = new CancellationTokenSource(config.DeliveryTimeoutMs);
            var response = await SendToCoordinatorAsync<AddPartitionsToTxnResponse>(ApiKey.AddPartitionsToTxn, _ =>
            {
                var request = new AddPartitionsToTxnRequest
                {
                    V3AndBelowTransactionalId = _transactionalId,
                    V3AndBelowProducerId = session.ProducerId,
                    V3AndBelowProducerEpoch = session.Epoch,
                };
                foreach (var topic in partitions.GroupBy(p => p.Topic))
                {
                    request.V3AndBelowTopics.Add(new AddPartitionsToTxnRequest.AddPartitionsToTxnTopicV3 { Name = topic.Key, Partitions = [.. topic.Select(p => p.Partition)] });
                }
                return request;
            }, FirstError, "AddPartitionsToTxn", timeout.Token).ConfigureAwait(false);
            lock (_lock)
            {
                _partitions.UnionWith(partitions);
            }
            return null;
        }
        catch (KafkaException e)
        {
            Fail(e);
            return e;
        }
        catch (OperationCanceledException)
        {
            var e = new KafkaException(ErrorCode.RequestTimedOut, $"AddPartitionsToTxn did not succeed within delivery.timeout.ms ({config.DeliveryTimeoutMs} ms).");
            Fail(e);
            return e;
        }
    }

    private static short FirstError(AddPartitionsToTxnResponse response)
    {
        foreach (var topic in response.ResultsByTopicV3AndBelow)
        {
            foreach (var partition in topic.ResultsByPartition)
            {
                // OPERATION_NOT_ATTEMPTED marks the partitions skipped because another one failed.
                if (partition.PartitionErrorCode is not (0 or (short)ErrorCode.OperationNotAttempted))
                {
                    return partition.PartitionErrorCode;
                }
            }
        }
        return 0;
    }

    /// <summary>
    /// Adds the group's offsets to the transaction (AddOffsetsToTxn at the transaction coordinator,
    /// then TxnOffsetCommit at the group coordinator): they become the group's committed offsets only
    /// if the transaction commits.
    /// </summary>
    public async Task SendOffsetsAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, ConsumerGroupMetadata group, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            RequirePhase("SendOffsetsToTransaction", TransactionPhase.InTransaction);
        }
        ProducerSession session = Session!;
        try
        {
            if (!_offsetsAdded)
            {
                await SendToCoordinatorAsync<AddOffsetsToTxnResponse>(ApiKey.AddOffsetsToTxn, _ => new AddOffsetsToTxnRequest
                {
                    TransactionalId = _transactionalId,
                    ProducerId = session.ProducerId,
                    ProducerEpoch = session.Epoch,
                    GroupId = group.GroupId,
                }, r => r.ErrorCode, "AddOffsetsToTxn", cancellationToken).ConfigureAwait(false);
                _offsetsAdded = true;
            }
            await CommitOffsetsAsync(offsets, group, session, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            Fail(e);
            throw;
        }
    }

    private async Task CommitOffsetsAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, ConsumerGroupMetadata group, ProducerSession session,
        CancellationToken cancellationToken)
    {
        var groupCoordinator = new CoordinatorLookup(cluster, group.GroupId);
        for (int attempt = 0; ; attempt++)
        {
            BrokerConnection connection = await groupCoordinator.GetAsync(cancellationToken).ConfigureAwait(false);
            var request = new TxnOffsetCommitRequest
            {
                TransactionalId = _transactionalId,
                GroupId = group.GroupId,
                ProducerId = session.ProducerId,
                ProducerEpoch = session.Epoch,
                GenerationId = group.GenerationId,
                MemberId = group.MemberId,
                GroupInstanceId = group.GroupInstanceId,
            };
            foreach (var topic in offsets.GroupBy(o => o.Topic))
            {
                var t = new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic { Name = topic.Key };
                foreach (var o in topic)
                {
                    t.Partitions.Add(new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = o.Partition, CommittedOffset = o.Offset, CommittedMetadata = "" });
                }
                request.Topics.Add(t);
            }
            short version = connection.Versions.Pick(ApiKey.TxnOffsetCommit);
            var response = await connection.SendAsync<TxnOffsetCommitResponse>(ApiKey.TxnOffsetCommit, version, request, cancellationToken).ConfigureAwait(false);
            var error = (ErrorCode)(response.Topics.SelectMany(t => t.Partitions).Select(p => p.ErrorCode).FirstOrDefault(c => c != 0));
            if (error == ErrorCode.None)
            {
                return;
            }
            if (Retriable(error) && attempt < 100)
            {
                if (error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable)
                {
                    groupCoordinator.Reset();
                }
                await Task.Delay(config.RetryBackoffMs, cancellationToken).ConfigureAwait(false);
                continue;
            }
            throw new KafkaException(error, $"TxnOffsetCommit for group {group.GroupId}: {error}");
        }
    }

    /// <summary>
    /// Ends the transaction after the producer flushed: EndTxn commit (or abort). A transaction in
    /// error can only abort; after such an abort the producer bumps its epoch (KIP-360) so its
    /// sequence numbers start over.
    /// </summary>
    public async Task EndAsync(bool commit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (commit)
            {
                if (_phase == TransactionPhase.AbortableError)
                {
                    throw new KafkaException(_error!.ErrorCode, $"The transaction cannot commit: {_error.Message} Abort it.", _error);
                }
                RequirePhase("CommitTransaction", TransactionPhase.InTransaction, TransactionPhase.Committing);
                _phase = TransactionPhase.Committing;
            }
            else
            {
                RequirePhase("AbortTransaction", TransactionPhase.InTransaction, TransactionPhase.AbortableError, TransactionPhase.Aborting);
                _bumpAfterAbort |= _phase == TransactionPhase.AbortableError;
                _phase = TransactionPhase.Aborting;
            }
        }
        ProducerSession session = Session!;
        bool anything;
        lock (_lock)
        {
            anything = _partitions.Count > 0 || _offsetsAdded;
        }
        try
        {
            if (anything)
            {
                await SendToCoordinatorAsync<EndTxnResponse>(ApiKey.EndTxn, _ => new EndTxnRequest
                {
                    TransactionalId = _transactionalId,
                    ProducerId = session.ProducerId,
                    ProducerEpoch = session.Epoch,
                    Committed = commit,
                }, r => r.ErrorCode, "EndTxn", cancellationToken).ConfigureAwait(false);
            }
            if (!commit && _bumpAfterAbort)
            {
                await InitProducerIdAsync(session, cancellationToken).ConfigureAwait(false);
                _bumpAfterAbort = false;
            }
        }
        catch (KafkaException e)
        {
            if (IsFatal(e.ErrorCode))
            {
                Fail(e);
            }
            throw;
        }
        lock (_lock)
        {
            _partitions.Clear();
            _offsetsAdded = false;
            _error = null;
            _phase = TransactionPhase.Ready;
        }
    }

    /// <summary>A batch of the transaction failed (or a transactional request did): the transaction can only abort now.</summary>
    public void Fail(KafkaException error)
    {
        lock (_lock)
        {
            if (_phase == TransactionPhase.FatalError)
            {
                return;
            }
            _error = error;
            if (IsFatal(error.ErrorCode))
            {
                _phase = TransactionPhase.FatalError;
            }
            else if (_phase is TransactionPhase.InTransaction or TransactionPhase.Committing)
            {
                _phase = TransactionPhase.AbortableError;
            }
        }
    }

    private static bool IsFatal(ErrorCode code) => code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch
        or ErrorCode.TransactionalIdAuthorizationFailed or ErrorCode.InvalidProducerIdMapping or ErrorCode.TransactionCoordinatorFenced;

    private static bool Retriable(ErrorCode code) => KafkaException.IsRetriableCode(code) || code is ErrorCode.ConcurrentTransactions
        or ErrorCode.UnknownTopicOrPartition;

    private void RequirePhase(string operation, params TransactionPhase[] allowed)
    {
        if (Array.IndexOf(allowed, _phase) >= 0)
        {
            return;
        }
        if (_phase == TransactionPhase.FatalError && _error is { } error)
        {
            throw new KafkaException(error.ErrorCode, $"{operation}: the producer is fenced or unauthorized and cannot be used any more: {error.Message}", error);
        }
        throw new InvalidOperationException($"{operation} is not allowed while the producer is {_phase}.");
    }

    /// <summary>Sends a request to the transaction coordinator, retrying retriable errors (finding the coordinator again when it moved).</summary>
    private async Task<TResponse> SendToCoordinatorAsync<TResponse>(ApiKey api, Func<int, IApiMessage> build, Func<TResponse, short> errorOf,
        string what, CancellationToken cancellationToken) where TResponse : IApiMessage, new()
    {
        for (int attempt = 0; ; attempt++)
        {
            BrokerConnection connection = await _coordinator.GetAsync(cancellationToken).ConfigureAwait(false);
            short version = connection.Versions.Pick(api);
            TResponse response;
            try
            {
                response = await connection.SendAsync<TResponse>(api, version, build(attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable && attempt < 100)
            {
                _coordinator.Reset();
                await Task.Delay(config.RetryBackoffMs, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var error = (ErrorCode)errorOf(response);
            if (error == ErrorCode.None)
            {
                return response;
            }
            if (Retriable(error) && attempt < 100)
            {
                if (error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable)
                {
                    _coordinator.Reset();
                }
                await Task.Delay(Math.Min(config.RetryBackoffMs * (attempt + 1), 1000), cancellationToken).ConfigureAwait(false);
                continue;
            }
            throw new KafkaException(error, $"{what} for transactional id {_transactionalId}: {error}");
        }
    }
}
