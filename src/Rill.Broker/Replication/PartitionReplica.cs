using Rill.Cluster.Topics;
using Rill.Protocol;

namespace Rill.Broker.Replication;

/// <summary>
/// This broker's replica of one partition in cluster mode (Kafka's Partition + ReplicaManager state):
/// the assignment from the metadata store (leader, leader epoch, replicas, ISR), and when this broker leads,
/// every follower's log end offset and last caught-up time, the high watermark (the smallest log end offset
/// in the ISR; it only moves forward), the ISR changes due by replica.lag.time.max.ms, and the acks=all
/// produces waiting for the high watermark. Time comes from a TimeProvider, so the logic runs on a fake clock.
/// </summary>
internal sealed class PartitionReplica
{
    private readonly int _self;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<int, FollowerProgress> _followers = [];
    private readonly List<(long Offset, TaskCompletionSource<ErrorCode> Done)> _waiters = [];
    private volatile PartitionState _state;
    private long _highWatermark;
    // The ISR this leader proposed and has not seen applied yet (KIP-497's "maximal ISR"): until the store's change
    // comes back, the high watermark waits for the applied ISR and for every proposed member. A follower joins the
    // ISR in the store before this leader applies it, and the controller may elect it in that window: a record
    // committed without it would then be lost.
    private int[]? _proposedIsr;

    public PartitionReplica(int self, PartitionState state, long highWatermark, TimeProvider time)
    {
        _self = self;
        _time = time;
        _state = state;
        _highWatermark = highWatermark;
        if (state.Leader == self)
        {
            ResetFollowers(state);
        }
    }

    /// <summary>replica.lag.time.max.ms: a follower not caught up for longer leaves the ISR.</summary>
    public long LagTimeMaxMs { get; set; } = 30_000;

    public PartitionState State => _state;

    /// <summary>This broker's id.</summary>
    public int Self => _self;
    public bool IsLeader => _state.Leader == _self;
    public bool IsFollower => _state.Leader != _self && _state.IsHostedBy(_self);
    public int LeaderId => _state.Leader;
    public int LeaderEpoch => _state.LeaderEpoch;

    /// <summary>What consumers may read up to (exclusive).</summary>
    public long HighWatermark => Interlocked.Read(ref _highWatermark);

    /// <summary>Raised (outside the lock) when the high watermark moved: wakes long-polling consumers.</summary>
    public event Action? HighWatermarkAdvanced;

    /// <summary>
    /// Applies a new state from the store. Becoming leader (a new epoch): every follower starts as caught up now
    /// (Kafka does the same), the high watermark stays what this replica knew. Losing leadership fails waiting produces.
    /// </summary>
    public void Apply(PartitionState state, long logEndOffset)
    {
        bool wasLeader;
        lock (_gate)
        {
            PartitionState old = _state;
            wasLeader = old.Leader == _self;
            _state = state;
            if (_proposedIsr is { } proposed
                && (state.Leader != _self || state.LeaderEpoch != old.LeaderEpoch || proposed.All(state.InIsr)))
            {
                _proposedIsr = null; // applied (or no longer this leader's to propose)
            }
            if (state.Leader == _self && (!wasLeader || old.LeaderEpoch != state.LeaderEpoch))
            {
                ResetFollowers(state);
            }
            else if (state.Leader == _self)
            {
                // Replicas added by a reassignment are tracked from their first fetch (they join the ISR once caught up).
                foreach (int added in state.Replicas.Where(r => r != _self && !_followers.ContainsKey(r)))
                {
                    _followers[added] = new FollowerProgress { LogEndOffset = -1, LastCaughtUpMs = 0 };
                }
                // A follower taken out of the ISR (lag, controlled shutdown, broker gone) rejoins only after fetching again.
                foreach (int removed in old.Isr.Where(r => r != _self && !state.InIsr(r)))
                {
                    if (_followers.TryGetValue(removed, out FollowerProgress? p))
                    {
                        p.LogEndOffset = -1;
                        p.LastCaughtUpMs = 0;
                        p.LastFetchMs = 0;
                    }
                }
            }
        }
        if (wasLeader && state.Leader != _self)
        {
            FailWaiters(ErrorCode.NotLeaderOrFollower);
        }
        if (state.Leader == _self)
        {
            MaybeAdvance(logEndOffset);
        }
    }

    private void ResetFollowers(PartitionState state)
    {
        long now = NowMs;
        _followers.Clear();
        foreach (int replica in state.Replicas)
        {
            if (replica != _self)
            {
                _followers[replica] = new FollowerProgress { LogEndOffset = -1, LastCaughtUpMs = state.InIsr(replica) ? now : 0 };
            }
        }
    }

    /// <summary>The leader appended; with the leader alone in the ISR the high watermark follows at once.</summary>
    public void OnLeaderAppended(long logEndOffset) => MaybeAdvance(logEndOffset);

    /// <summary>
    /// A follower fetched from <paramref name="fetchOffset"/> (its log end offset). As Kafka: it is caught up
    /// now when that reaches the leader's log end offset, or as of its previous fetch when it reaches what the
    /// leader's log end offset was then. Returns false when the fetch is not from a replica of this partition.
    /// </summary>
    public bool OnFollowerFetch(int follower, long fetchOffset, long leaderLogEndOffset)
    {
        lock (_gate)
        {
            if (!_followers.TryGetValue(follower, out FollowerProgress? progress))
            {
                return false;
            }
            long now = NowMs;
            if (fetchOffset >= leaderLogEndOffset)
            {
                progress.LastCaughtUpMs = now;
            }
            else if (fetchOffset >= progress.LeaderEndOffsetAtLastFetch && progress.LastFetchMs > 0)
            {
                progress.LastCaughtUpMs = Math.Max(progress.LastCaughtUpMs, progress.LastFetchMs);
            }
            progress.LogEndOffset = fetchOffset;
            progress.LeaderEndOffsetAtLastFetch = leaderLogEndOffset;
            progress.LastFetchMs = now;
        }
        MaybeAdvance(leaderLogEndOffset);
        return true;
    }

    /// <summary>A follower's log start offset, as its fetch request reports it (Fetch v5+).</summary>
    public void OnFollowerLogStart(int follower, long logStartOffset)
    {
        lock (_gate)
        {
            if (logStartOffset >= 0 && _followers.TryGetValue(follower, out FollowerProgress? progress))
            {
                progress.LogStartOffset = logStartOffset;
            }
        }
    }

    /// <summary>
    /// Kafka's low watermark as DeleteRecords answers it: the smallest log start offset of the leader
    /// (<paramref name="leaderLogStartOffset"/>) and the other ISR members (-1 for one that has not reported yet).
    /// </summary>
    public long LowWatermark(long leaderLogStartOffset)
    {
        lock (_gate)
        {
            long low = leaderLogStartOffset;
            foreach (int member in _state.Isr)
            {
                if (member != _self)
                {
                    low = Math.Min(low, _followers.TryGetValue(member, out FollowerProgress? p) ? p.LogStartOffset : -1);
                }
            }
            return low;
        }
    }

    /// <summary>
    /// The ISR this leader wants now (null: no change): ISR followers not caught up within replica.lag.time.max.ms
    /// leave it; replicas outside it whose log end offset reached the high watermark join it. The caller writes
    /// it to the store (compare-and-swap); it applies when the store's change comes back.
    /// </summary>
    public int[]? ProposedIsr()
    {
        lock (_gate)
        {
            PartitionState state = _state;
            if (state.Leader != _self)
            {
                return null;
            }
            long now = NowMs;
            long hw = HighWatermark;
            var isr = new List<int>(state.Isr.Length + 1);
            bool changed = false;
            foreach (int replica in state.Replicas)
            {
                bool inIsr = state.InIsr(replica);
                bool keep;
                if (replica == _self)
                {
                    keep = true;
                }
                else if (!_followers.TryGetValue(replica, out FollowerProgress? p))
                {
                    keep = inIsr;
                }
                else if (inIsr)
                {
                    keep = now - p.LastCaughtUpMs <= LagTimeMaxMs;
                }
                else
                {
                    keep = p.LogEndOffset >= hw && p.LogEndOffset >= 0 && now - p.LastCaughtUpMs <= LagTimeMaxMs;
                }
                if (keep)
                {
                    isr.Add(replica);
                }
                changed |= keep != inIsr;
            }
            return changed ? [.. isr] : null;
        }
    }

    /// <summary>
    /// The ISR this leader is about to write to the store (null: none). Until it is applied, the high watermark also
    /// waits for the members it adds (the maximal ISR). Called before every write, and with null when there is none.
    /// </summary>
    public void Proposing(int[]? isr)
    {
        lock (_gate)
        {
            _proposedIsr = isr;
        }
    }

    /// <summary>A follower's log end offset as the leader last heard it (-1: not yet).</summary>
    public long FollowerEndOffset(int follower)
    {
        lock (_gate)
        {
            return _followers.TryGetValue(follower, out FollowerProgress? p) ? p.LogEndOffset : -1;
        }
    }

    /// <summary>A follower learns the high watermark from the leader's fetch responses (bounded by its own log).</summary>
    public void SetFollowerHighWatermark(long leaderHighWatermark, long logEndOffset)
    {
        long next = Math.Min(leaderHighWatermark, logEndOffset);
        long current;
        do
        {
            current = Interlocked.Read(ref _highWatermark);
            if (next <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _highWatermark, next, current) != current);
    }

    /// <summary>A follower that truncated its log must not claim more than it holds.</summary>
    public void ClampHighWatermark(long logEndOffset)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _highWatermark);
            if (current <= logEndOffset)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _highWatermark, logEndOffset, current) != current);
    }

    /// <summary>
    /// acks=all: completes with NONE when the high watermark passes <paramref name="lastOffset"/>, or with an error when
    /// leadership is lost. With <paramref name="leaderEpoch"/> (the epoch this broker led in when it appended), NOT_LEADER_OR_FOLLOWER
    /// as soon as this broker no longer leads in that epoch, also when the high watermark already passes the offset: a
    /// broker that lost leadership between its leadership check and its append wrote as leader into a log that is now a
    /// follower's, which truncates that write away, while its high watermark (learnt from the new leader) may already
    /// be past the offset (Kafka excludes this with its leader/ISR lock around the append).
    /// </summary>
    public Task<ErrorCode> WaitForHighWatermarkAsync(long lastOffset, int leaderEpoch = -1)
    {
        long highWatermark = HighWatermark;
        if (leaderEpoch >= 0 && !LeadsIn(leaderEpoch))
        {
            return Task.FromResult(ErrorCode.NotLeaderOrFollower);
        }
        if (highWatermark > lastOffset)
        {
            return Task.FromResult(ErrorCode.None);
        }
        var done = new TaskCompletionSource<ErrorCode>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (!IsLeader || (leaderEpoch >= 0 && !LeadsIn(leaderEpoch)))
            {
                return Task.FromResult(ErrorCode.NotLeaderOrFollower);
            }
            _waiters.Add((lastOffset, done));
        }
        if (HighWatermark > lastOffset)
        {
            CompleteWaiters(HighWatermark);
        }
        return done.Task;
    }

    private bool LeadsIn(int leaderEpoch)
    {
        PartitionState state = _state;
        return state.Leader == _self && state.LeaderEpoch == leaderEpoch;
    }

    private void MaybeAdvance(long leaderLogEndOffset)
    {
        long candidate;
        lock (_gate)
        {
            PartitionState state = _state;
            if (state.Leader != _self)
            {
                return;
            }
            candidate = leaderLogEndOffset;
            foreach (int replica in state.Isr)
            {
                if (replica != _self)
                {
                    candidate = Math.Min(candidate, FollowerEnd(replica));
                }
            }
            if (_proposedIsr is { } proposed)
            {
                foreach (int replica in proposed)
                {
                    if (replica != _self && !state.InIsr(replica))
                    {
                        candidate = Math.Min(candidate, FollowerEnd(replica)); // joining: maximal ISR
                    }
                }
            }
            if (candidate <= _highWatermark)
            {
                return;
            }
            Interlocked.Exchange(ref _highWatermark, candidate);
        }
        CompleteWaiters(candidate);
        HighWatermarkAdvanced?.Invoke();
    }

    private long FollowerEnd(int replica) => _followers.TryGetValue(replica, out FollowerProgress? p) ? p.LogEndOffset : -1;

    private void CompleteWaiters(long highWatermark)
    {
        List<TaskCompletionSource<ErrorCode>>? done = null;
        lock (_gate)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Offset < highWatermark)
                {
                    (done ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }
        done?.ForEach(d => d.TrySetResult(ErrorCode.None));
    }

    private void FailWaiters(ErrorCode error)
    {
        List<(long, TaskCompletionSource<ErrorCode> Done)> failed;
        lock (_gate)
        {
            failed = [.. _waiters];
            _waiters.Clear();
        }
        failed.ForEach(w => w.Done.TrySetResult(error));
    }

    /// <summary>Checks a follower fetch's leader epoch: older is FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH (-1: not checked).</summary>
    public ErrorCode CheckLeaderEpoch(int requestEpoch)
    {
        int epoch = LeaderEpoch;
        return requestEpoch < 0 || requestEpoch == epoch ? ErrorCode.None
            : requestEpoch < epoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch;
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed class FollowerProgress
    {
        public long LogStartOffset = -1;
        public long LogEndOffset;
        public long LastCaughtUpMs;
        public long LastFetchMs;
        public long LeaderEndOffsetAtLastFetch;
    }
}
