using System.Buffers;
using Rill.Client.Network;
using Rill.Client.Producing;
using Rill.Protocol;

namespace Rill.Client;

/// <summary>
/// Sends records to Kafka: batches per partition (linger.ms, batch.size), compresses, retries
/// idempotently (on by default), partitions keys with the Java client's murmur2. Use
/// <see cref="ProduceAsync(string, Message{TKey, TValue}, CancellationToken)"/> to await each record, or
/// <see cref="Produce"/> with a delivery callback for throughput; <see cref="FlushAsync"/> waits for all.
/// </summary>
public sealed class Producer<TKey, TValue> : IAsyncDisposable
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_key;
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_value;

    private readonly ProducerConfig _config;
    private readonly KafkaCluster _cluster;
    private readonly RecordAccumulator _accumulator;
    private readonly Sender _sender;
    private readonly TransactionManager? _txn;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly IDirectSerializer<TKey>? _directKey;
    private readonly IDirectSerializer<TValue>? _directValue;
    private readonly int _requestOverhead;
    private int _disposed;

    /// <summary>A producer; null serializers pick the default for the type (<see cref="Serializers.Default{T}"/>). Its sender runs until the producer is disposed.</summary>
    public Producer(ProducerConfig config, ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null)
    {
        _config = config;
        _ = config.IdempotenceEnabled; // validates acks against enable.idempotence
        _cluster = new KafkaCluster(config);
        var wake = new AsyncSignal();
        var memory = new BufferMemory(config.BufferMemory);
        _accumulator = new RecordAccumulator(config, memory, wake);
        _txn = config.TransactionalId is null ? null : new TransactionManager(config, _cluster);
        _sender = new Sender(config, _cluster, _accumulator, memory, wake, _txn);
        _keySerializer = keySerializer ?? Serializers.Default<TKey>();
        _valueSerializer = valueSerializer ?? Serializers.Default<TValue>();
        _directKey = _keySerializer as IDirectSerializer<TKey>;
        _directValue = _valueSerializer as IDirectSerializer<TValue>;
        _requestOverhead = RecordAccumulator.RequestOverhead(config);
        _sender.Start();
    }

    /// <summary>Sends one record and completes with where it landed; faults with a <see cref="KafkaException"/>.</summary>
    public Task<DeliveryResult> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        var tcs = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            Append(topic, message, tcs);
        }
        catch (Exception e)
        {
            tcs.TrySetException(e);
        }
        return cancellationToken.CanBeCanceled ? tcs.Task.WaitAsync(cancellationToken) : tcs.Task;
    }

    /// <summary>Sends one record with this key and value and completes with where it landed; faults with a <see cref="KafkaException"/>.</summary>
    public Task<DeliveryResult> ProduceAsync(string topic, TKey key, TValue value, CancellationToken cancellationToken = default)
        => ProduceAsync(topic, new Message<TKey, TValue> { Key = key, Value = value }, cancellationToken);

    /// <summary>
    /// Fire-and-forget: queues the record and returns; <paramref name="deliveryHandler"/> runs on the
    /// producer's I/O thread when the record is acknowledged or fails. Allocation-free per record.
    /// Blocks (up to max.block.ms) when buffer.memory is full or metadata is missing.
    /// </summary>
    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryResult>? deliveryHandler = null)
        => Append(topic, message, deliveryHandler);

    /// <summary>Sends every queued record now (ignoring linger.ms) and waits until all are acknowledged or failed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        _accumulator.Flushing = true;
        try
        {
            await _accumulator.WhenDrainedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _accumulator.Flushing = false;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Append(string topic, Message<TKey, TValue> message, object? completion)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _txn?.CheckCanSend();
        TopicQueues queues = _accumulator.FindTopic(topic) ?? LoadTopic(topic);
        ArrayBufferWriter<byte> keyBuffer = t_key ??= new ArrayBufferWriter<byte>(256);
        ArrayBufferWriter<byte> valueBuffer = t_value ??= new ArrayBufferWriter<byte>(1024);
        keyBuffer.ResetWrittenCount();
        valueBuffer.ResetWrittenCount();
        ReadOnlySpan<byte> key, value;
        bool hasKey, hasValue;
        if (_directKey is not null)
        {
            hasKey = _directKey.TryGetBytes(message.Key, out ReadOnlyMemory<byte> k);
            key = k.Span;
        }
        else
        {
            hasKey = _keySerializer.Serialize(message.Key, keyBuffer);
            key = keyBuffer.WrittenSpan;
        }
        if (_directValue is not null)
        {
            hasValue = _directValue.TryGetBytes(message.Value, out ReadOnlyMemory<byte> v);
            value = v.Span;
        }
        else
        {
            hasValue = _valueSerializer.Serialize(message.Value, valueBuffer);
            value = valueBuffer.WrittenSpan;
        }
        int recordSize = Rill.Protocol.Records.RecordBatchLayout.HeaderSize
            + ProducerBatch.RecordSizeUpperBound(hasKey ? key.Length : -1, hasValue ? value.Length : -1, message.Headers);
        if (recordSize + _requestOverhead + RecordAccumulator.BatchOverhead(topic.Length) > _config.MaxRequestSize || recordSize > _config.BufferMemory)
        {
            ThrowTooLarge(topic, recordSize);
        }
        int count = queues.Partitions.Length;
        int partition;
        if (message.Partition is { } explicitPartition)
        {
            if ((uint)explicitPartition >= (uint)count)
            {
                throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"Topic {topic} has {count} partitions; there is no partition {explicitPartition}.");
            }
            partition = explicitPartition;
        }
        else if (hasKey)
        {
            partition = Murmur2Partitioner.Partition(key, count);
        }
        else
        {
            partition = _accumulator.StickyPartition(queues);
        }
        long timestamp = message.Timestamp ?? CoarseClock.UnixMilliseconds;
        _accumulator.Append(queues, partition, timestamp, key, hasKey, value, hasValue, message.Headers, completion);
    }

    /// <summary>As Java's RecordTooLargeException: a record that cannot fit in one Produce request (max.request.size) or in buffer.memory.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowTooLarge(string topic, int recordSize)
    {
        string limit = recordSize > _config.BufferMemory
            ? $"buffer.memory ({_config.BufferMemory} bytes)"
            : $"max.request.size ({_config.MaxRequestSize} bytes, of which {_requestOverhead + RecordAccumulator.BatchOverhead(topic.Length)} go to the request's framing)";
        throw new KafkaException(ErrorCode.MessageTooLarge,
            $"The record for {topic} is {recordSize} bytes when serialized in its batch, which is larger than {limit}.");
    }

    private TopicQueues LoadTopic(string topic)
    {
        using var cts = new CancellationTokenSource(_config.MaxBlockMs);
        while (true)
        {
            TopicMetadata? metadata;
            try
            {
                metadata = _cluster.GetTopicAsync(topic, cts.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                throw new KafkaException(ErrorCode.RequestTimedOut, $"Topic {topic} not present in metadata after max.block.ms ({_config.MaxBlockMs} ms).");
            }
            catch (KafkaException e) when (e.IsRetriable && !cts.IsCancellationRequested)
            {
                metadata = null;
            }
            if (metadata is not null)
            {
                return _accumulator.AddTopic(topic, metadata.Partitions.Count);
            }
            _cluster.Invalidate(topic);
            if (cts.Token.WaitHandle.WaitOne(_config.RetryBackoffMs))
            {
                throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"Topic {topic} not present in metadata after max.block.ms ({_config.MaxBlockMs} ms).");
            }
        }
    }

    /// <summary>
    /// Transactions (transactional.id set): registers the transactional id with its coordinator,
    /// fencing any earlier producer with the same id and completing or aborting what it left open.
    /// Call once, before the first transaction.
    /// </summary>
    public Task InitTransactionsAsync(CancellationToken cancellationToken = default) => Transactions.InitAsync(cancellationToken);

    /// <summary>Starts a transaction: the records produced until it ends commit or abort together.</summary>
    public void BeginTransaction() => Transactions.Begin();

    /// <summary>
    /// Consume-transform-produce: commits the consumer's offsets (the next offsets to read) as part of
    /// the transaction, so they count only if it commits. <paramref name="group"/> comes from
    /// <see cref="Consumer{TKey, TValue}.GroupMetadata"/>; the coordinator refuses a zombie consumer's commit.
    /// </summary>
    public Task SendOffsetsToTransactionAsync(IEnumerable<TopicPartitionOffset> offsets, ConsumerGroupMetadata group, CancellationToken cancellationToken = default)
        => Transactions.SendOffsetsAsync(offsets.ToList(), group, cancellationToken);

    /// <summary>
    /// Sends what is queued, then commits: read_committed consumers see the transaction's records (and the
    /// group its offsets). If a record of the transaction failed, throws and the transaction must be aborted.
    /// </summary>
    public async Task CommitTransactionAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await Transactions.EndAsync(commit: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Aborts the transaction: its records stay in the log but read_committed consumers skip them.</summary>
    public async Task AbortTransactionAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await Transactions.EndAsync(commit: false, cancellationToken).ConfigureAwait(false);
    }

    private TransactionManager Transactions => _txn ?? throw new InvalidOperationException("Transactions need transactional.id in the producer config.");

    /// <summary>Number of partitions of a topic as the producer knows it (fetching metadata if needed).</summary>
    public async Task<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken = default)
        => (await _cluster.GetTopicAsync(topic, cancellationToken).ConfigureAwait(false))?.Partitions.Count
           ?? throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"Unknown topic {topic}.");

    /// <summary>Sends what is queued, waits for the acknowledgements, and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _sender.CloseAsync().ConfigureAwait(false);
        await _cluster.DisposeAsync().ConfigureAwait(false);
    }
}
