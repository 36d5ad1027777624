using System.Diagnostics;
using Rill.Client.Network;

namespace Rill.Client.Producing;

/// <summary>
/// Per-partition batches: the one being filled and the sealed ones waiting to go (sorted by
/// sequence, so a retried batch goes before later ones). The sender drains at most one batch per
/// partition per request and keeps up to max.in.flight batches per partition outstanding.
/// </summary>
internal sealed class RecordAccumulator(ProducerConfig config, BufferMemory memory, AsyncSignal wake)
{
    private readonly object _lock = new();
    private readonly Dictionary<string, TopicQueues> _topics = new(StringComparer.Ordinal);
    private readonly List<TopicQueues> _topicList = new(); // the same topics, indexable for Drain's rotating start
    private int _drainRound;
    private readonly long _lingerTicks = config.LingerMs * Stopwatch.Frequency / 1000;
    private readonly long _deliveryTimeoutTicks = config.DeliveryTimeoutMs * Stopwatch.Frequency / 1000;
    private readonly int _batchSize = Math.Max(1, Math.Min(config.BatchSize, config.MaxRequestSize - RequestOverhead(config) - BatchOverhead(249)));
    private TopicQueues? _lastTopic;
    private int _incomplete;
    private TaskCompletionSource? _drained;

    public object Lock => _lock;

    /// <summary>Batches appended to and not yet completed.</summary>
    public int Incomplete { get { lock (_lock) { return _incomplete; } } }

    public bool Flushing { get; set; }

    /// <summary>Queues of a topic whose partition count is known; null when not yet set up.</summary>
    public TopicQueues? FindTopic(string topic)
    {
        TopicQueues? last = _lastTopic;
        if (last is not null && string.Equals(last.Name, topic, StringComparison.Ordinal))
        {
            return last;
        }
        lock (_lock)
        {
            if (_topics.TryGetValue(topic, out var queues))
            {
                _lastTopic = queues;
            }
            return queues;
        }
    }

    public List<string> TopicNames()
    {
        lock (_lock)
        {
            return _topics.Keys.ToList();
        }
    }

    /// <summary>Sets up (or grows, when partitions were added) a topic's queues; existing partition queues are kept.</summary>
    public TopicQueues AddTopic(string topic, int partitionCount)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(topic, out var queues) || queues.Partitions.Length < partitionCount)
            {
                var partitions = new PartitionQueue[partitionCount];
                for (int i = 0; i < partitionCount; i++)
                {
                    partitions[i] = queues is not null && i < queues.Partitions.Length ? queues.Partitions[i] : new PartitionQueue(i);
                }
                var grown = new TopicQueues(topic, partitions);
                int index = queues is null ? -1 : _topicList.IndexOf(queues);
                if (index >= 0)
                {
                    _topicList[index] = grown;
                }
                else
                {
                    _topicList.Add(grown);
                }
                queues = grown;
                _topics[topic] = queues;
                if (_lastTopic?.Name == topic)
                {
                    _lastTopic = queues;
                }
            }
            return queues;
        }
    }

    /// <summary>Appends into the partition's open batch, opening one (reserving buffer.memory, which may block) when needed.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Append(TopicQueues topic, int partition, long timestamp, ReadOnlySpan<byte> key, bool hasKey,
        ReadOnlySpan<byte> value, bool hasValue, Headers? headers, object? completion)
    {
        PartitionQueue queue = topic.Partitions[partition];
        int reserved = 0;
        try
        {
            while (true)
            {
                lock (_lock)
                {
                    if (queue.Current is { } current)
                    {
                        if (current.TryAppend(timestamp, key, hasKey, value, hasValue, headers, completion))
                        {
                            return;
                        }
                        SealCurrent(topic, queue);
                    }
                    if (reserved > 0)
                    {
                        var batch = new ProducerBatch(topic.Name, partition, reserved, Stopwatch.GetTimestamp()) { Order = queue.NextOrder++ };
                        reserved = 0;
                        queue.Current = batch;
                        _incomplete++;
                        batch.TryAppend(timestamp, key, hasKey, value, hasValue, headers, completion);
                        if (batch.SizeInBytes >= _batchSize)
                        {
                            SealCurrent(topic, queue);
                        }
                        else
                        {
                            wake.Set(); // the sender recomputes its linger deadline
                        }
                        return;
                    }
                }
                int size = Math.Max(_batchSize, ProducerBatch.EstimateSize(key.Length, value.Length, headers) + Rill.Protocol.Records.RecordBatchLayout.HeaderSize);
                memory.Reserve(size, config.MaxBlockMs);
                reserved = size;
            }
        }
        finally
        {
            if (reserved > 0)
            {
                memory.Release(reserved);
            }
        }
    }

    /// <summary>Picks the sticky partition for a keyless record (moves on when its batch fills).</summary>
    public int StickyPartition(TopicQueues topic)
    {
        int sticky = topic.Sticky;
        if (sticky < 0)
        {
            sticky = topic.Sticky = Random.Shared.Next(topic.Partitions.Length);
        }
        return sticky;
    }

    private void SealCurrent(TopicQueues topic, PartitionQueue queue)
    {
        ProducerBatch batch = queue.Current!;
        queue.Current = null;
        batch.IsFull = true;
        queue.Ready.Add(batch);
        if (topic.Sticky == queue.Partition && topic.Partitions.Length > 1)
        {
            topic.Sticky = (queue.Partition + 1) % topic.Partitions.Length;
        }
        wake.Set();
    }

    /// <summary>
    /// Moves lingered batches to ready, then takes sendable ones (one per partition, leader known,
    /// in-flight below the limit, each broker's request within max.request.size), giving each a
    /// sequence under <paramref name="session"/> when the producer is idempotent. Returns the wait in
    /// ms until a linger or retry backoff expires (0 when batches were left for the next request).
    /// </summary>
    public int Drain(KafkaCluster cluster, ProducerSession? session, bool closing, Dictionary<int, List<ProducerBatch>> into,
        Dictionary<int, int> requestBytes, List<string> unknownLeaders, List<ProducerBatch> expired)
    {
        long now = Stopwatch.GetTimestamp();
        long nextWake = long.MaxValue;
        bool more = false;
        int baseBytes = RequestOverhead(config);
        lock (_lock)
        {
            // Start at a different topic and partition each round, so that when max.request.size leaves
            // batches for the next request it is not always the same partitions that wait (as Java's drainIndex).
            int round = _drainRound++ & int.MaxValue;
            for (int t = 0; t < _topicList.Count; t++)
            {
                TopicQueues topic = _topicList[(round + t) % _topicList.Count];
                TopicMetadata? metadata = cluster.TryGetCachedTopic(topic.Name);
                int perBatch = BatchOverhead(topic.Name.Length);
                for (int p = 0; p < topic.Partitions.Length; p++)
                {
                    PartitionQueue queue = topic.Partitions[(round + p) % topic.Partitions.Length];
                    if (queue.Current is { } current)
                    {
                        long due = current.CreatedTicks + _lingerTicks;
                        if (due <= now || Flushing || closing)
                        {
                            SealCurrent(topic, queue);
                        }
                        else
                        {
                            nextWake = Math.Min(nextWake, due);
                        }
                    }
                    if (queue.Ready.Count == 0 || queue.InFlight >= config.MaxInFlightRequestsPerConnection)
                    {
                        continue;
                    }
                    ProducerBatch head = queue.Ready[0];
                    if (now - head.CreatedTicks > _deliveryTimeoutTicks)
                    {
                        // not acknowledged within delivery.timeout.ms; a sequenced batch's fate is then unknown, and the
                        // broker's answer to the next one tells (OUT_OF_ORDER_SEQUENCE_NUMBER: it was not written, bump)
                        queue.Ready.RemoveAt(0);
                        expired.Add(head);
                        continue;
                    }
                    if (head.RetryAtTicks > now)
                    {
                        nextWake = Math.Min(nextWake, head.RetryAtTicks);
                        continue;
                    }
                    int leader = metadata is not null && queue.Partition < metadata.Partitions.Count ? metadata.Partitions[queue.Partition].Leader : -1;
                    if (leader < 0)
                    {
                        unknownLeaders.Add(topic.Name);
                        continue;
                    }
                    into.TryGetValue(leader, out var list);
                    int bytes = requestBytes.GetValueOrDefault(leader, baseBytes) + perBatch + head.WireSize;
                    if (list is { Count: > 0 } && bytes > config.MaxRequestSize)
                    {
                        more = true; // max.request.size: this batch goes in the next request to that broker
                        continue;
                    }
                    if (session is not null && !TryAssignSequence(queue, head, session))
                    {
                        continue;
                    }
                    queue.Ready.RemoveAt(0);
                    queue.InFlight++;
                    if (list is null)
                    {
                        into[leader] = list = new List<ProducerBatch>();
                    }
                    list.Add(head);
                    requestBytes[leader] = bytes;
                }
            }
        }
        if (more)
        {
            return 0;
        }
        return nextWake == long.MaxValue ? 100 : (int)Math.Clamp((nextWake - now) * 1000 / Stopwatch.Frequency + 1, 1, 100);
    }

    /// <summary>
    /// Gives the head batch its sequence (idempotence), or says it must wait: a partition moves to a
    /// new producer id/epoch only after every batch it sent under the old one is done (those keep
    /// their old id, epoch and sequence on retry), and a partition whose sequences are being reset
    /// (<see cref="PartitionQueue.Rewrite"/>) waits for the epoch bump.
    /// </summary>
    private static bool TryAssignSequence(PartitionQueue queue, ProducerBatch head, ProducerSession session)
    {
        if (head.BaseSequence >= 0)
        {
            if (!queue.Rewrite)
            {
                return true; // a retry: same producer id, epoch and sequence as before
            }
            Unsequence(queue, head);
        }
        if (queue.SessionProducerId != session.ProducerId || queue.SessionEpoch != session.Epoch)
        {
            if (queue.InFlight > 0 || queue.Outstanding.Count > 0)
            {
                return false;
            }
            queue.SessionProducerId = session.ProducerId;
            queue.SessionEpoch = session.Epoch;
            queue.NextSequence = 0;
            queue.Rewrite = false;
        }
        else if (queue.Rewrite)
        {
            return false;
        }
        head.ProducerId = session.ProducerId;
        head.ProducerEpoch = session.Epoch;
        head.BaseSequence = queue.NextSequence;
        queue.NextSequence = (int)((queue.NextSequence + (long)head.Count) & int.MaxValue);
        queue.Outstanding.Add(head);
        return true;
    }

    private static void Unsequence(PartitionQueue queue, ProducerBatch batch)
    {
        queue.Outstanding.Remove(batch);
        batch.BaseSequence = -1;
        batch.ProducerId = -1;
        batch.ProducerEpoch = -1;
    }

    /// <summary>
    /// KIP-360: the broker answered OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID. When the batch is
    /// the partition's oldest unacknowledged one, there is a gap (a batch before it failed or expired and
    /// was never written): nothing of the partition after that point was written, so its batches get
    /// new sequences from 0 under a new producer epoch. Returns true when the epoch must be bumped (the
    /// batch was sent under the current one); otherwise the batch is behind another unacknowledged one
    /// and is simply retried.
    /// </summary>
    public bool SequenceGap(ProducerBatch batch, ProducerSession? current)
    {
        lock (_lock)
        {
            PartitionQueue queue = _topics[batch.Topic].Partitions[batch.Partition];
            if (queue.Rewrite || queue.Outstanding.Count == 0 || !ReferenceEquals(queue.Outstanding[0], batch))
            {
                return false;
            }
            queue.Rewrite = true;
            foreach (ProducerBatch waiting in queue.Ready)
            {
                if (waiting.BaseSequence >= 0)
                {
                    Unsequence(queue, waiting);
                }
            }
            return current is not null && batch.ProducerId == current.ProducerId && batch.ProducerEpoch == current.Epoch;
        }
    }

    /// <summary>A sent batch comes back: done, or to be retried in its place (append order) among the partition's batches.</summary>
    public void Return(ProducerBatch batch, bool retry, long retryAtTicks, bool wasInFlight = true)
    {
        lock (_lock)
        {
            PartitionQueue queue = _topics[batch.Topic].Partitions[batch.Partition];
            if (wasInFlight)
            {
                queue.InFlight--;
            }
            if (retry)
            {
                if (queue.Rewrite && batch.BaseSequence >= 0)
                {
                    Unsequence(queue, batch);
                }
                batch.RetryAtTicks = retryAtTicks;
                int index = 0;
                while (index < queue.Ready.Count && queue.Ready[index].Order < batch.Order)
                {
                    index++;
                }
                queue.Ready.Insert(index, batch);
                return;
            }
            if (batch.BaseSequence >= 0)
            {
                queue.Outstanding.Remove(batch);
            }
            if (--_incomplete == 0 && _drained is not null)
            {
                _drained.TrySetResult();
                _drained = null;
            }
        }
    }

    /// <summary>Bytes of a Produce request besides its batches (header with client id, acks, timeout, topic array), an upper bound.</summary>
    internal static int RequestOverhead(ClientConfig config) => 64 + System.Text.Encoding.UTF8.GetByteCount(config.ClientId);

    /// <summary>Bytes one partition's entry adds besides its records (the topic's name or id, counted for each batch, index, length), an upper bound; topic names are ASCII.</summary>
    internal static int BatchOverhead(int topicNameLength) => 40 + topicNameLength;

    /// <summary>Completes when every batch appended so far is done.</summary>
    public Task WhenDrainedAsync()
    {
        lock (_lock)
        {
            if (_incomplete == 0)
            {
                return Task.CompletedTask;
            }
            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }
}

internal sealed class TopicQueues(string name, PartitionQueue[] partitions)
{
    public string Name { get; } = name;
    public PartitionQueue[] Partitions { get; } = partitions;
    public int Sticky = -1;
}

internal sealed class PartitionQueue(int partition)
{
    public int Partition { get; } = partition;
    public ProducerBatch? Current;
    public readonly List<ProducerBatch> Ready = new();
    public int InFlight;
    public long NextOrder;

    /// <summary>The producer id and epoch <see cref="NextSequence"/> counts for.</summary>
    public long SessionProducerId = -1;
    public short SessionEpoch = -1;
    public int NextSequence;

    /// <summary>Sequenced batches not yet acknowledged or failed (in flight or waiting to retry), oldest first.</summary>
    public readonly List<ProducerBatch> Outstanding = new();

    /// <summary>A sequence gap was found: the unacknowledged batches restart at sequence 0 under a new epoch.</summary>
    public bool Rewrite;
}

/// <summary>The idempotent producer's id and epoch (replaced as a whole when InitProducerId bumps it).</summary>
internal sealed record ProducerSession(long ProducerId, short Epoch);
