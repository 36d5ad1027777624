using Microsoft.Extensions.Logging;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication.Fetching;

/// <summary>
/// Kafka's replica fetcher thread: one connection to one source broker, fetching every partition this broker follows
/// from it (those <see cref="ReplicaFetcherManager"/> assigns to it) in one Fetch request (v11, replica_id = this node,
/// each partition with its own fetch offset = log end offset, log start offset and current_leader_epoch), long-polling
/// replica.fetch.wait.max.ms for replica.fetch.min.bytes, within replica.fetch.max.bytes per partition and
/// replica.fetch.response.max.bytes per response, in a fetch session (<see cref="ReplicaFetchSession"/>).
/// <para>A partition added in a new leader epoch first finds where its log diverges from the leader's
/// (KIP-101/279): one OffsetForLeaderEpoch request for every partition that needs it, truncation per partition, more rounds
/// while the leader answers an epoch the follower never had. The rest fetch meanwhile.</para>
/// <para>Errors are per partition: OFFSET_OUT_OF_RANGE below the leader's log start empties the log and starts it there,
/// above its log end runs the truncation again, as does a diverging epoch; NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH,
/// FENCED_LEADER_EPOCH and any other error leave that partition out of the fetches for a while
/// (<see cref="ReplicaFetcherSettings"/>) while the others go on. A failed request or connection backs off
/// replica.fetch.backoff.ms and reconnects.</para>
/// <para>Every change to a partition's log happens under the fetcher's lock and only while the partition is still in the
/// set in the same epoch, so once <see cref="Remove"/> returns this fetcher no longer touches that log.</para>
/// </summary>
internal sealed class ReplicaFetcher
{
    internal const int MaxTruncationRounds = 64;
    private readonly int _self;
    private readonly ReplicaFetcherSettings _settings;
    private readonly Func<CancellationToken, Task<IReplicaLeaderLink>> _connect;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly bool _useSessions;
    private readonly object _gate = new();
    private readonly Dictionary<(string Topic, int Partition), FollowedPartition> _partitions = [];
    private readonly ReplicaFetchSession _session = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = NewSignal();
    private Task _loop = Task.CompletedTask;
    private long _fetches;
    private long _connections;

    public ReplicaFetcher(int leader, int fetcherId, int self, ReplicaFetcherSettings settings, Func<CancellationToken, Task<IReplicaLeaderLink>> connect,
        ILogger log, TimeProvider? time = null, bool useSessions = true)
    {
        Leader = leader;
        FetcherId = fetcherId;
        _self = self;
        _settings = settings;
        _connect = connect;
        _log = log;
        _time = time ?? TimeProvider.System;
        _useSessions = useSessions;
    }

    public int Leader { get; }
    public int FetcherId { get; }

    /// <summary>Fetch requests sent so far.</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    /// <summary>Connections opened so far.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    public int PartitionCount
    {
        get { lock (_gate) { return _partitions.Count; } }
    }

    /// <summary>The partition's fetch state, or null when this fetcher does not hold it (for tests and diagnostics).</summary>
    internal FollowedPartition? Find(string topic, int partition)
    {
        lock (_gate)
        {
            return _partitions.GetValueOrDefault((topic, partition));
        }
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Adds the partition in <paramref name="leaderEpoch"/>, or moves it to that epoch (truncating first); same epoch: nothing.</summary>
    public void AddOrUpdate(Partition partition, PartitionReplica replica, int leaderEpoch)
    {
        lock (_gate)
        {
            var key = (partition.Topic.Name, partition.Index);
            if (_partitions.TryGetValue(key, out FollowedPartition? held) && held.LeaderEpoch == leaderEpoch && ReferenceEquals(held.Partition, partition))
            {
                return;
            }
            _partitions[key] = new FollowedPartition(partition, replica, leaderEpoch);
            _changed.TrySetResult();
        }
    }

    /// <summary>Removes the partition; after this returns the fetcher no longer changes its log. False when it was not here.</summary>
    public bool Remove(string topic, int partition)
    {
        lock (_gate)
        {
            return _partitions.Remove((topic, partition));
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        IReplicaLeaderLink? link = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (!HasWork(out TimeSpan idle))
                    {
                        await WaitForWorkAsync(idle, stop).ConfigureAwait(false);
                        continue;
                    }
                    if (link is null)
                    {
                        link = await _connect(stop).ConfigureAwait(false);
                        Interlocked.Increment(ref _connections);
                    }
                    await TruncateAsync(link, stop).ConfigureAwait(false);
                    await FetchAsync(link, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ProtocolException
                    or OperationCanceledException && !stop.IsCancellationRequested)
                {
                    _log.LogDebug("Replica fetcher {FetcherId} for broker {Leader} failed: {Message}", FetcherId, Leader, e.Message);
                    _session.OnFailure();
                    if (link is not null)
                    {
                        await link.DisposeAsync().ConfigureAwait(false);
                        link = null;
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(_settings.BackoffMs), _time, stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            if (link is not null)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether some partition can be truncated or fetched now; otherwise how long until the first delay ends.</summary>
    private bool HasWork(out TimeSpan idle)
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            long next = long.MaxValue;
            foreach (FollowedPartition p in _partitions.Values)
            {
                if (!p.IsDelayed(now))
                {
                    idle = TimeSpan.Zero;
                    return true;
                }
                next = Math.Min(next, p.DelayedUntil);
            }
            idle = next == long.MaxValue ? Timeout.InfiniteTimeSpan : _time.GetElapsedTime(now, next);
            return false;
        }
    }

    private async Task WaitForWorkAsync(TimeSpan idle, CancellationToken stop)
    {
        Task changed;
        lock (_gate)
        {
            if (_changed.Task.IsCompleted)
            {
                _changed = NewSignal();
            }
            changed = _changed.Task;
        }
        if (HasWork(out _))
        {
            return; // a partition came in between
        }
        TimeSpan wait = idle == Timeout.InfiniteTimeSpan || idle > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : idle;
        await Task.WhenAny(changed, Task.Delay(wait, _time, stop)).ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// KIP-279's truncation for every partition that needs it, one OffsetForLeaderEpoch request for all of them. A log
    /// without epochs (empty, or written before epochs were stamped) truncates to its high watermark, as Kafka does.
    /// </summary>
    private async Task TruncateAsync(IReplicaLeaderLink link, CancellationToken stop)
    {
        var asked = new Dictionary<(string, int), (FollowedPartition Partition, int Epoch)>();
        var request = new OffsetForLeaderEpochRequest { ReplicaId = _self };
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            foreach (FollowedPartition p in _partitions.Values)
            {
                if (!p.Truncating || p.IsDelayed(now))
                {
                    continue;
                }
                int latest = p.Partition.Log.LeaderEpochs.LatestEpoch;
                if (latest < 0)
                {
                    Guarded(p, () =>
                    {
                        FollowerTruncation.Truncate(p, Math.Min(p.Replica.HighWatermark, p.Partition.Log.LogEndOffset), Leader, "no leader epochs: to the high watermark", _log);
                        p.TruncationDone();
                    });
                    continue;
                }
                asked[(p.Topic, p.Index)] = (p, latest);
                if (request.Topics.Find(t => t.Topic == p.Topic) is not { } topic)
                {
                    request.Topics.Add(topic = new OffsetForLeaderEpochRequest.OffsetForLeaderTopic { Topic = p.Topic });
                }
                topic.Partitions.Add(new OffsetForLeaderEpochRequest.OffsetForLeaderPartition
                {
                    Partition = p.Index, CurrentLeaderEpoch = p.LeaderEpoch, LeaderEpoch = latest,
                });
            }
        }
        if (asked.Count == 0)
        {
            return;
        }
        OffsetForLeaderEpochResponse response = await link.OffsetForLeaderEpochAsync(request, stop).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult topic in response.Topics)
            {
                foreach (OffsetForLeaderEpochResponse.EpochEndOffset answer in topic.Partitions)
                {
                    if (!asked.Remove((topic.Topic, answer.Partition), out var entry) || !IsCurrent(entry.Partition))
                    {
                        continue;
                    }
                    Guarded(entry.Partition, () => FollowerTruncation.OnEpochAnswer(entry.Partition, entry.Epoch, answer, Leader, _settings, _time, _log));
                }
            }
            foreach (var (p, _) in asked.Values)
            {
                if (IsCurrent(p))
                {
                    p.Delay(_time, _settings.BackoffMs, ErrorCode.UnknownServerError); // the leader did not answer for it
                }
            }
        }
    }

    private async Task FetchAsync(IReplicaLeaderLink link, CancellationToken stop)
    {
        var sent = new Dictionary<(string, int), (FollowedPartition Partition, long Offset)>();
        var request = new FetchRequest
        {
            ReplicaId = _self,
            MaxWaitMs = _settings.WaitMaxMs,
            MinBytes = _settings.MinBytes,
            MaxBytes = _settings.ResponseMaxBytes,
            IsolationLevel = 0,
        };
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            var wanted = new List<(string, FetchRequest.FetchPartition)>(_partitions.Count);
            foreach (FollowedPartition p in _partitions.Values)
            {
                if (p.Truncating || p.IsDelayed(now))
                {
                    continue;
                }
                long offset = p.Partition.Log.LogEndOffset;
                sent[(p.Topic, p.Index)] = (p, offset);
                wanted.Add((p.Topic, new FetchRequest.FetchPartition
                {
                    Partition = p.Index, CurrentLeaderEpoch = p.LeaderEpoch, FetchOffset = offset, LogStartOffset = p.Partition.Log.LogStartOffset,
                    PartitionMaxBytes = _settings.MaxBytes,
                }));
            }
            if (wanted.Count == 0)
            {
                return;
            }
            if (_useSessions)
            {
                _session.Fill(request, wanted);
            }
            else
            {
                request.SessionEpoch = -1;
                foreach (var group in wanted.GroupBy(w => w.Item1))
                {
                    request.Topics.Add(new FetchRequest.FetchTopic { Topic = group.Key, Partitions = group.Select(w => w.Item2).ToList() });
                }
            }
        }
        Interlocked.Increment(ref _fetches);
        FetchResponse response = await link.FetchAsync(request, stop).ConfigureAwait(false);
        if (_useSessions)
        {
            _session.OnResponse(response);
        }
        if (response.ErrorCode != 0)
        {
            var error = (ErrorCode)response.ErrorCode;
            _log.LogDebug("Replica fetcher {FetcherId} for broker {Leader}: fetch answered {Error}", FetcherId, Leader, error);
            if (error is not (ErrorCode.FetchSessionIdNotFound or ErrorCode.InvalidFetchSessionEpoch))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_settings.BackoffMs), _time, stop).ConfigureAwait(false);
            }
            return;
        }
        foreach (FetchResponse.FetchableTopicResponse topic in response.Responses)
        {
            foreach (FetchResponse.PartitionData data in topic.Partitions)
            {
                if (!sent.TryGetValue((topic.Topic, data.PartitionIndex), out var entry))
                {
                    continue;
                }
                lock (_gate)
                {
                    if (IsCurrent(entry.Partition))
                    {
                        Guarded(entry.Partition, () => FollowerFetchAnswer.Apply(entry.Partition, entry.Offset, data, Leader, _settings, _time, _log));
                    }
                }
            }
        }
    }

    /// <summary>
    /// Runs one partition's step; an unexpected failure (a storage error, say) sits that partition out for
    /// replica.fetch.backoff.ms instead of stopping the fetcher and every other partition with it.
    /// </summary>
    private void Guarded(FollowedPartition p, Action step)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogWarning("{Topic}-{Partition}: replication from broker {Leader} failed: {Message}", p.Topic, p.Index, Leader, e.Message);
            p.Delay(_time, _settings.BackoffMs, ErrorCode.KafkaStorageError);
        }
    }

    /// <summary>Still in the set in the same epoch (called under the lock).</summary>
    private bool IsCurrent(FollowedPartition p)
        => _partitions.TryGetValue((p.Topic, p.Index), out FollowedPartition? held) && ReferenceEquals(held, p);

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
