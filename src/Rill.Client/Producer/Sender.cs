using System.Diagnostics;
using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Producing;

/// <summary>
/// The producer's background loop: drains ready batches, groups them by leader into one Produce
/// request per broker, pipelines the requests, and completes or retries each batch from its
/// partition's response (refreshing metadata when a leader moved or a topic is unknown).
/// </summary>
internal sealed class Sender
{
    private readonly ProducerConfig _config;
    private readonly KafkaCluster _cluster;
    private readonly RecordAccumulator _accumulator;
    private readonly BufferMemory _memory;
    private readonly AsyncSignal _wake;
    private readonly bool _idempotent;
    private readonly TransactionManager? _txn;
    private readonly CancellationTokenSource _stop = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _stale = new();
    private volatile ProducerSession? _session;
    private volatile bool _bumpNeeded;
    private long _lastRefresh;
    private long _lastAgeRefresh = Stopwatch.GetTimestamp();
    private Task _ageRefresh = Task.CompletedTask;
    private volatile bool _closing;
    private Task? _loop;

    public Sender(ProducerConfig config, KafkaCluster cluster, RecordAccumulator accumulator, BufferMemory memory, AsyncSignal wake,
        TransactionManager? transactions = null)
    {
        _txn = transactions;
        _config = config;
        _cluster = cluster;
        _accumulator = accumulator;
        _memory = memory;
        _wake = wake;
        _idempotent = config.IdempotenceEnabled;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Sends everything left, then stops the loop.</summary>
    public async Task CloseAsync()
    {
        _closing = true;
        _wake.Set();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var byNode = new Dictionary<int, List<ProducerBatch>>();
        var requestBytes = new Dictionary<int, int>();
        var unknown = new List<string>();
        var expired = new List<ProducerBatch>();
        while (true)
        {
            bool closing = _closing;
            if (_txn is not null)
            {
                _session = _txn.Session; // InitTransactions (and the epoch bump after an abort) set it
            }
            else if (_idempotent && (_session is null || _bumpNeeded) && _accumulator.Incomplete > 0)
            {
                await InitProducerIdAsync().ConfigureAwait(false);
            }
            byNode.Clear();
            requestBytes.Clear();
            unknown.Clear();
            expired.Clear();
            int waitMs = _idempotent && _session is null
                ? 10 // the producer id arrives with the next InitProducerId
                : _accumulator.Drain(_cluster, _session, closing, byNode, requestBytes, unknown, expired);
            foreach (var batch in expired)
            {
                Complete(batch, -1, new KafkaException(ErrorCode.RequestTimedOut,
                    $"{batch.Count} record(s) for {batch.Topic}-{batch.Partition} expired: not sent within delivery.timeout.ms ({_config.DeliveryTimeoutMs} ms)."), wasInFlight: false);
            }
            while (_stale.TryDequeue(out string? topic))
            {
                unknown.Add(topic); // a leader moved or the topic is unknown: ask again
            }
            if (_txn is not null && byNode.Count > 0)
            {
                await AddToTransactionAsync(byNode).ConfigureAwait(false);
            }
            foreach (var (node, batches) in byNode)
            {
                if (batches.Count == 0)
                {
                    continue;
                }
                // Connect here, in the loop, so requests reach each connection in drain (= sequence) order.
                BrokerConnection connection;
                try
                {
                    connection = await _cluster.GetConnectionAsync(node).ConfigureAwait(false);
                }
                catch (KafkaException e)
                {
                    foreach (var batch in batches)
                    {
                        Failed(batch, e);
                    }
                    continue;
                }
                _ = SendAsync(connection, batches);
            }
            if (unknown.Count > 0)
            {
                await RefreshAsync(unknown).ConfigureAwait(false);
                waitMs = Math.Min(waitMs, _config.RetryBackoffMs);
            }
            if (Stopwatch.GetElapsedTime(_lastAgeRefresh).TotalMilliseconds >= _config.MetadataMaxAgeMs && _ageRefresh.IsCompleted)
            {
                _lastAgeRefresh = Stopwatch.GetTimestamp();
                _ageRefresh = RefreshKnownTopicsAsync();
            }
            if (closing && _accumulator.Incomplete == 0)
            {
                return;
            }
            await _wake.WaitAsync(waitMs).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Gets the producer id, or bumps the epoch after a sequence gap (KIP-360): InitProducerId v3+
    /// carries the current producer id and epoch (a broker may answer with the next epoch of the same
    /// id; Kafka, for a producer without transactional id, answers with a new id at epoch 0); older
    /// brokers, or an epoch at its maximum, get a new producer id. Either way every partition starts
    /// again at sequence 0 once its batches of the old epoch are done.
    /// </summary>
    private async Task InitProducerIdAsync()
    {
        _bumpNeeded = false;
        bool bumpForm = _session is not null;
        while (true)
        {
            try
            {
                BrokerConnection connection = await _cluster.GetAnyConnectionAsync().ConfigureAwait(false);
                short version = connection.Versions.Pick(ApiKey.InitProducerId);
                var request = new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = int.MaxValue };
                if (bumpForm && version >= 3 && _session is { } current && current.Epoch < short.MaxValue)
                {
                    request.ProducerId = current.ProducerId;
                    request.ProducerEpoch = current.Epoch;
                }
                var response = await connection.SendAsync<InitProducerIdResponse>(ApiKey.InitProducerId, version, request).ConfigureAwait(false);
                KafkaException.ThrowIfError(response.ErrorCode, "InitProducerId");
                _session = new ProducerSession(response.ProducerId, response.ProducerEpoch);
                return;
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                await Task.Delay(_config.RetryBackoffMs).ConfigureAwait(false);
            }
            catch (KafkaException) when (bumpForm)
            {
                bumpForm = false; // the broker refused the bump form: take a new producer id instead
            }
        }
    }

    /// <summary>
    /// Transactions: AddPartitionsToTxn for the partitions whose first batch of the transaction is
    /// about to go (Kafka's brokers refuse, or with KIP-890 verify, transactional writes to partitions
    /// the coordinator does not know). When it fails, those batches fail and the transaction can only abort.
    /// </summary>
    private async Task AddToTransactionAsync(Dictionary<int, List<ProducerBatch>> byNode)
    {
        List<TopicPartition>? added = _txn!.NewPartitions(byNode.Values.SelectMany(b => b));
        if (added is null)
        {
            return;
        }
        KafkaException? error = await _txn.AddPartitionsAsync(added).ConfigureAwait(false);
        if (error is null)
        {
            return;
        }
        foreach (var batches in byNode.Values)
        {
            batches.RemoveAll(batch =>
            {
                if (!added.Contains(new TopicPartition(batch.Topic, batch.Partition)))
                {
                    return false;
                }
                Complete(batch, -1, error, wasInFlight: false);
                return true;
            });
        }
    }

    private async Task RefreshAsync(List<string> topics)
    {
        if (Stopwatch.GetElapsedTime(_lastRefresh).TotalMilliseconds < _config.RetryBackoffMs)
        {
            return;
        }
        _lastRefresh = Stopwatch.GetTimestamp();
        try
        {
            await _cluster.RefreshAsync(topics.Distinct().ToList()).ConfigureAwait(false);
        }
        catch (KafkaException)
        {
            // retried on the next loop
        }
    }

    /// <summary>metadata.max.age.ms: picks up leader moves and added partitions (CreatePartitions) of the topics in use.</summary>
    private async Task RefreshKnownTopicsAsync()
    {
        try
        {
            var topics = _accumulator.TopicNames();
            if (topics.Count == 0)
            {
                return;
            }
            await _cluster.RefreshAsync(topics).ConfigureAwait(false);
            foreach (string topic in topics)
            {
                if (_cluster.TryGetCachedTopic(topic) is { } metadata)
                {
                    _accumulator.AddTopic(topic, metadata.Partitions.Count);
                }
            }
        }
        catch (KafkaException)
        {
            // the next round tries again
        }
    }

    private async Task SendAsync(BrokerConnection connection, List<ProducerBatch> batches)
    {
        try
        {
            short version = connection.Versions.Pick(ApiKey.Produce);
            var request = new ProduceRequest { Acks = (short)_config.Acks, TimeoutMs = _config.RequestTimeoutMs };
            foreach (var group in batches.GroupBy(b => b.Topic))
            {
                var topicData = new ProduceRequest.TopicProduceData { Name = group.Key };
                foreach (var batch in group)
                {
                    topicData.PartitionData.Add(new ProduceRequest.PartitionProduceData
                    {
                        Index = batch.Partition,
                        Records = batch.Seal(_config.CompressionType, batch.ProducerId, batch.ProducerEpoch, transactional: _txn is not null),
                    });
                }
                request.TopicData.Add(topicData);
            }
            if (_config.Acks == Acks.None)
            {
                await connection.SendOnewayAsync(ApiKey.Produce, version, request).ConfigureAwait(false);
                foreach (var batch in batches)
                {
                    Complete(batch, -1, null);
                }
                return;
            }
            var response = await connection.SendAsync<ProduceResponse>(ApiKey.Produce, version, request, inlineCompletion: true).ConfigureAwait(false);
            foreach (var batch in batches)
            {
                var partition = response.Responses.FirstOrDefault(t => t.Name == batch.Topic)?.PartitionResponses.FirstOrDefault(p => p.Index == batch.Partition);
                if (partition is null)
                {
                    Failed(batch, new KafkaException(ErrorCode.NetworkException, $"The Produce response has no result for {batch.Topic}-{batch.Partition}."));
                }
                else if (partition.ErrorCode == 0)
                {
                    Complete(batch, partition.BaseOffset, null, logAppendTime: partition.LogAppendTimeMs);
                }
                else if (partition.ErrorCode == (short)ErrorCode.DuplicateSequenceNumber)
                {
                    Complete(batch, -1, null);
                }
                else
                {
                    Failed(batch, new KafkaException((ErrorCode)partition.ErrorCode,
                        $"Produce to {batch.Topic}-{batch.Partition}: {(ErrorCode)partition.ErrorCode}{(partition.ErrorMessage is null ? "" : " - " + partition.ErrorMessage)}"));
                }
            }
        }
        catch (KafkaException e)
        {
            foreach (var batch in batches)
            {
                Failed(batch, e);
            }
        }
        catch (Exception e)
        {
            foreach (var batch in batches)
            {
                Failed(batch, new KafkaException(ErrorCode.UnknownServerError, e.Message, e));
            }
        }
        finally
        {
            _wake.Set();
        }
    }

    private void Failed(ProducerBatch batch, KafkaException error)
    {
        // The broker rejected (did not write) a batch for its sequence: retried, behind an older unacknowledged
        // batch as it is, or after an epoch bump with new sequences when there is a gap before it (KIP-360).
        // In a transaction a sequence error fails the batch (the transaction aborts, then the epoch is bumped).
        bool sequenceError = _idempotent && _txn is null && error.ErrorCode is ErrorCode.OutOfOrderSequenceNumber or ErrorCode.UnknownProducerId;
        if (sequenceError && _accumulator.SequenceGap(batch, _session))
        {
            _bumpNeeded = true;
        }
        bool retriable = error.IsRetriable || sequenceError;
        batch.Attempts++;
        double age = Stopwatch.GetElapsedTime(batch.CreatedTicks).TotalMilliseconds;
        if (retriable && batch.Attempts <= _config.Retries && age < _config.DeliveryTimeoutMs && !_stop.IsCancellationRequested)
        {
            _cluster.Invalidate(batch.Topic);
            _stale.Enqueue(batch.Topic);
            _accumulator.Return(batch, retry: true, Stopwatch.GetTimestamp() + _config.RetryBackoffMs * Stopwatch.Frequency / 1000);
            return;
        }
        if (retriable && age >= _config.DeliveryTimeoutMs)
        {
            error = new KafkaException(ErrorCode.RequestTimedOut,
                $"{batch.Count} record(s) for {batch.Topic}-{batch.Partition} expired: not acknowledged within delivery.timeout.ms ({_config.DeliveryTimeoutMs} ms); last error: {error.Message}", error);
        }
        Complete(batch, -1, error);
    }

    private void Complete(ProducerBatch batch, long baseOffset, KafkaException? error, long logAppendTime = -1, bool wasInFlight = true)
    {
        if (error is not null)
        {
            _txn?.Fail(error);
        }
        for (int i = 0; i < batch.Count; i++)
        {
            object? completion = batch.CompletionAt(i);
            if (completion is null)
            {
                continue;
            }
            long offset = baseOffset < 0 ? -1 : baseOffset + i;
            var result = new DeliveryResult(batch.Topic, batch.Partition, offset, logAppendTime >= 0 ? logAppendTime : batch.TimestampAt(i), error);
            if (completion is Action<DeliveryResult> callback)
            {
                try
                {
                    callback(result);
                }
                catch (Exception)
                {
                    // a throwing callback must not break delivery of the others
                }
            }
            else if (completion is TaskCompletionSource<DeliveryResult> tcs)
            {
                if (error is null)
                {
                    tcs.TrySetResult(result);
                }
                else
                {
                    tcs.TrySetException(error);
                }
            }
        }
        _memory.Release(batch.Capacity);
        batch.Release();
        _accumulator.Return(batch, retry: false, 0, wasInFlight);
    }
}
