using System.Collections.Concurrent;
using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Consuming;

/// <summary>
/// Keeps one Fetch in flight per leader for the assigned, unpaused partitions, and queues the
/// records that come back. A partition is fetched ahead while at most one response of it is
/// still buffered, so the next batch is on its way while the current one is consumed.
/// </summary>
internal sealed class Fetcher(ConsumerConfig config, KafkaCluster cluster)
{
    private const int MaxBufferedPerPartition = 2;
    private readonly object _lock = new();
    private readonly Dictionary<TopicPartition, PartitionState> _assigned = new();
    private readonly HashSet<int> _inFlight = new();
    private readonly ConcurrentQueue<FetchedRecords> _completed = new();
    private readonly ConcurrentQueue<string> _stale = new();
    private long _lastRefresh;

    public AsyncSignal Ready { get; } = new();

    public object Lock => _lock;

    public Exception? PendingError { get; set; }

    /// <summary>Set on close: no more fetches are sent.</summary>
    public volatile bool Stopped;

    public IReadOnlyCollection<PartitionState> Assigned { get { lock (_lock) { return _assigned.Values.ToList(); } } }

    public PartitionState? Find(TopicPartition partition)
    {
        lock (_lock)
        {
            return _assigned.GetValueOrDefault(partition);
        }
    }

    public PartitionState Add(TopicPartition partition)
    {
        lock (_lock)
        {
            if (!_assigned.TryGetValue(partition, out var state))
            {
                _assigned[partition] = state = new PartitionState(partition);
            }
            return state;
        }
    }

    public void Remove(TopicPartition partition)
    {
        lock (_lock)
        {
            if (_assigned.Remove(partition, out var state))
            {
                state.Revoked = true;
                state.Epoch++;
            }
        }
    }

    public bool TryTake(out FetchedRecords? fetched)
    {
        while (_completed.TryDequeue(out fetched))
        {
            lock (_lock)
            {
                fetched.State.Buffered = Math.Max(0, fetched.State.Buffered - 1);
            }
            if (fetched.Epoch == fetched.State.Epoch && !fetched.State.Revoked)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Starts a fetch to every leader that has fetchable partitions and none in flight.</summary>
    public void SendFetches()
    {
        if (Stopped)
        {
            return;
        }
        Dictionary<int, List<(PartitionState State, int Epoch, long Offset)>>? byNode = null;
        List<string>? unknown = null;
        lock (_lock)
        {
            foreach (var state in _assigned.Values)
            {
                if (state.Paused || state.FetchPosition < 0 || state.Buffered >= MaxBufferedPerPartition)
                {
                    continue;
                }
                TopicMetadata? topic = cluster.TryGetCachedTopic(state.TopicPartition.Topic);
                int leader = topic is not null && state.TopicPartition.Partition < topic.Partitions.Count ? topic.Partitions[state.TopicPartition.Partition].Leader : -1;
                if (leader < 0)
                {
                    (unknown ??= new()).Add(state.TopicPartition.Topic);
                    continue;
                }
                if (_inFlight.Contains(leader))
                {
                    continue;
                }
                byNode ??= new();
                if (!byNode.TryGetValue(leader, out var list))
                {
                    byNode[leader] = list = new();
                }
                list.Add((state, state.Epoch, state.FetchPosition));
            }
            if (byNode is not null)
            {
                foreach (int node in byNode.Keys)
                {
                    _inFlight.Add(node);
                }
            }
        }
        if (byNode is not null)
        {
            foreach (var (node, list) in byNode)
            {
                _ = FetchAsync(node, list);
            }
        }
        if (unknown is not null && Environment.TickCount64 - _lastRefresh > config.RetryBackoffMs)
        {
            _lastRefresh = Environment.TickCount64;
            _ = RefreshAsync(unknown.Distinct().ToList());
        }
    }

    private async Task RefreshAsync(List<string> topics)
    {
        try
        {
            await cluster.RefreshAsync(topics).ConfigureAwait(false);
        }
        catch (KafkaException)
        {
        }
        Ready.Set();
    }

    private async Task FetchAsync(int node, List<(PartitionState State, int Epoch, long Offset)> partitions)
    {
        bool backoff = false;
        await Task.Yield();
        try
        {
            BrokerConnection connection = await cluster.GetConnectionAsync(node).ConfigureAwait(false);
            short version = connection.Versions.Pick(ApiKey.Fetch);
            var request = new FetchRequest
            {
                MaxWaitMs = config.FetchMaxWaitMs,
                MinBytes = config.FetchMinBytes,
                MaxBytes = config.FetchMaxBytes,
                IsolationLevel = (sbyte)config.IsolationLevel,
            };
            foreach (var group in partitions.GroupBy(p => p.State.TopicPartition.Topic))
            {
                var topic = new FetchRequest.FetchTopic { Topic = group.Key };
                foreach (var p in group)
                {
                    topic.Partitions.Add(new FetchRequest.FetchPartition
                    {
                        Partition = p.State.TopicPartition.Partition,
                        FetchOffset = p.Offset,
                        PartitionMaxBytes = config.MaxPartitionFetchBytes,
                    });
                }
                request.Topics.Add(topic);
            }
            var response = await connection.SendAsync<FetchResponse>(ApiKey.Fetch, version, request, extraTimeoutMs: config.FetchMaxWaitMs, inlineCompletion: true).ConfigureAwait(false);
            if (response.ErrorCode != 0)
            {
                throw new KafkaException((ErrorCode)response.ErrorCode, $"Fetch from broker {node}: {(ErrorCode)response.ErrorCode}");
            }
            foreach (var topic in response.Responses)
            {
                foreach (var data in topic.Partitions)
                {
                    var sent = partitions.FirstOrDefault(p => p.State.TopicPartition.Partition == data.PartitionIndex && p.State.TopicPartition.Topic == topic.Topic);
                    if (sent.State is null)
                    {
                        continue;
                    }
                    backoff |= HandlePartition(sent.State, sent.Epoch, sent.Offset, data);
                }
            }
        }
        catch (KafkaException e)
        {
            backoff = true;
            if (!e.IsRetriable)
            {
                PendingError = e;
            }
        }
        finally
        {
            lock (_lock)
            {
                _inFlight.Remove(node);
            }
            if (backoff)
            {
                var stale = new List<string>();
                while (_stale.TryDequeue(out string? topic))
                {
                    stale.Add(topic);
                }
                if (stale.Count > 0)
                {
                    await RefreshAsync(stale.Distinct().ToList()).ConfigureAwait(false);
                }
                await Task.Delay(config.RetryBackoffMs).ConfigureAwait(false);
            }
            SendFetches();
            Ready.Set();
        }
    }

    /// <summary>read_committed: the response's aborted transactions in first-offset order (an empty list when there are none).</summary>
    private (long ProducerId, long FirstOffset)[]? AbortedOf(FetchResponse.PartitionData data)
    {
        if (config.IsolationLevel != IsolationLevel.ReadCommitted)
        {
            return null;
        }
        if (data.AbortedTransactions is not { Count: > 0 } list)
        {
            return [];
        }
        var aborted = new (long ProducerId, long FirstOffset)[list.Count];
        for (int i = 0; i < aborted.Length; i++)
        {
            aborted[i] = (list[i].ProducerId, list[i].FirstOffset);
        }
        Array.Sort(aborted, (a, b) => a.FirstOffset.CompareTo(b.FirstOffset));
        return aborted;
    }

    private bool HandlePartition(PartitionState state, int epoch, long offset, FetchResponse.PartitionData data)
    {
        var error = (ErrorCode)data.ErrorCode;
        lock (_lock)
        {
            if (state.Epoch != epoch || state.Revoked)
            {
                return false;
            }
            state.HighWatermark = data.HighWatermark;
            if (error == ErrorCode.OffsetOutOfRange)
            {
                state.Seek(Offsets.Unset); // resolved again by auto.offset.reset
                return false;
            }
            if (error != ErrorCode.None)
            {
                if (KafkaException.IsRetriableCode(error))
                {
                    cluster.Invalidate(state.TopicPartition.Topic);
                    _stale.Enqueue(state.TopicPartition.Topic); // the leader may have moved: refresh before fetching again
                    return true;
                }
                PendingError = new KafkaException(error, $"Fetch {state.TopicPartition}: {error}");
                return true;
            }
            if (data.Records is not { Length: > 0 } records)
            {
                return false;
            }
            long next = FetchedRecords.NextOffsetAfter(records.Span);
            if (next <= offset)
            {
                return false;
            }
            state.FetchPosition = next;
            state.Buffered++;
            _completed.Enqueue(new FetchedRecords(state, epoch, records, AbortedOf(data)));
        }
        return false;
    }
}
