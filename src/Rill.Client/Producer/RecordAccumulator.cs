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
    private readonly long _lingerTicks = config.LingerMs * Stopwatch.Frequency / 1000;
    private readonly long _deliveryTimeoutTicks = config.DeliveryTimeoutMs * Stopwatch.Frequency / 1000;
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
                queues = new TopicQueues(topic, partitions);
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
                        var batch = new ProducerBatch(topic.Name, partition, reserved, Stopwatch.GetTimestamp());
                        reserved = 0;
                        queue.Current = batch;
                        _incomplete++;
                        batch.TryAppend(timestamp, key, hasKey, value, hasValue, headers, completion);
                        if (batch.SizeInBytes >= config.BatchSize)
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
                int size = Math.Max(config.BatchSize, ProducerBatch.EstimateSize(key.Length, value.Length, headers) + Rill.Protocol.Records.RecordBatchLayout.HeaderSize);
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
    /// in-flight below the limit), assigning sequences when <paramref name="sequences"/>.
    /// Returns the wait in ms until a linger or retry backoff expires.
    /// </summary>
    public int Drain(KafkaCluster cluster, bool sequences, bool closing, Dictionary<int, List<ProducerBatch>> into, List<string> unknownLeaders,
        List<ProducerBatch> expired)
    {
        long now = Stopwatch.GetTimestamp();
        long nextWake = long.MaxValue;
        lock (_lock)
        {
            foreach (var topic in _topics.Values)
            {
                TopicMetadata? metadata = cluster.TryGetCachedTopic(topic.Name);
                foreach (var queue in topic.Partitions)
                {
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
                    if (head.BaseSequence < 0 && now - head.CreatedTicks > _deliveryTimeoutTicks)
                    {
                        queue.Ready.RemoveAt(0); // never sent (no leader) within delivery.timeout.ms; sequenced batches keep retrying
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
                    queue.Ready.RemoveAt(0);
                    if (sequences && head.BaseSequence < 0)
                    {
                        head.BaseSequence = queue.NextSequence;
                        queue.NextSequence = (int)((queue.NextSequence + (long)head.Count) & int.MaxValue);
                    }
                    queue.InFlight++;
                    if (!into.TryGetValue(leader, out var list))
                    {
                        into[leader] = list = new List<ProducerBatch>();
                    }
                    list.Add(head);
                }
            }
        }
        return nextWake == long.MaxValue ? 100 : (int)Math.Clamp((nextWake - now) * 1000 / Stopwatch.Frequency + 1, 1, 100);
    }

    /// <summary>A sent batch comes back: done (true) or to be retried at its sequence position.</summary>
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
                batch.RetryAtTicks = retryAtTicks;
                int index = 0;
                while (index < queue.Ready.Count && queue.Ready[index].BaseSequence >= 0 && queue.Ready[index].BaseSequence < batch.BaseSequence)
                {
                    index++;
                }
                queue.Ready.Insert(index, batch);
                return;
            }
            if (--_incomplete == 0 && _drained is not null)
            {
                _drained.TrySetResult();
                _drained = null;
            }
        }
    }

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
    public int NextSequence;
}
