using Rill.Client.Consuming;
using Rill.Client.Network;
using Rill.Protocol;

namespace Rill.Client;

/// <summary>The consumer's housekeeping between records: rebalances, starting offsets, commits.</summary>
public sealed partial class Consumer<TKey, TValue>
{
    private long _lastAutoCommit;
    private Task? _autoCommit;

    private bool AutoCommitDue => _member is not null && _config.EnableAutoCommit && Environment.TickCount64 - _lastAutoCommit >= _config.AutoCommitIntervalMs;

    private async ValueTask PollAsync(CancellationToken cancellationToken)
    {
        if (_fetcher.PendingError is { } error)
        {
            _fetcher.PendingError = null;
            throw error;
        }
        if (_member is not null && _subscription.Count > 0)
        {
            if (_member.TakeLost())
            {
                var lost = Assignment;
                foreach (var p in lost)
                {
                    _fetcher.Remove(p);
                }
                _current = null;
                if (lost.Count > 0)
                {
                    PartitionsLost?.Invoke(lost);
                }
            }
            if (_member.RejoinNeeded)
            {
                await RebalanceAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        if (AutoCommitDue && _member!.Generation >= 0 && _autoCommit is null or { IsCompleted: true })
        {
            _lastAutoCommit = Environment.TickCount64;
            _autoCommit = CommitQuietlyAsync();
        }
        await ResolvePositionsAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task CommitQuietlyAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(_config.RequestTimeoutMs);
            await CommitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            // the next auto-commit tries again
        }
    }

    private async Task RebalanceAsync(CancellationToken cancellationToken)
    {
        var owned = Assignment.ToList();
        bool cooperative = _member!.Cooperative;
        if (!cooperative && owned.Count > 0)
        {
            await RevokeAsync(owned, cancellationToken).ConfigureAwait(false);
            owned.Clear();
        }
        List<TopicPartition> assigned = await _member.JoinAsync(_subscription, owned, cancellationToken).ConfigureAwait(false);
        var assignedSet = assigned.ToHashSet();
        var revoked = owned.Where(p => !assignedSet.Contains(p)).ToList();
        if (revoked.Count > 0)
        {
            await RevokeAsync(revoked, cancellationToken).ConfigureAwait(false);
            if (_member is ClassicGroupMember)
            {
                _member.RequestRejoin(); // KIP-429: rejoin so the revoked partitions can go to their new owner
            }
        }
        var ownedSet = owned.ToHashSet();
        var added = assigned.Where(p => !ownedSet.Contains(p)).ToList();
        foreach (var p in added)
        {
            _fetcher.Add(p);
        }
        _member.Owned(Assignment);
        await ResolvePositionsAsync(cancellationToken).ConfigureAwait(false);
        if (added.Count > 0 || !cooperative)
        {
            PartitionsAssigned?.Invoke(added);
        }
    }

    private async Task RevokeAsync(List<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        if (_config.EnableAutoCommit)
        {
            try
            {
                await CommitAsync(partitions.Select(p => _fetcher.Find(p)).Where(s => s is { Position: >= 0 })
                    .Select(s => new TopicPartitionOffset(s!.TopicPartition.Topic, s.TopicPartition.Partition, s.Position)), cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException)
            {
                // the generation may already be gone; the new owner starts from the last commit
            }
        }
        PartitionsRevoked?.Invoke(partitions);
        foreach (var p in partitions)
        {
            _fetcher.Remove(p);
        }
        _current = null;
    }

    /// <summary>Finds where to start for partitions without a position: committed offset, else auto.offset.reset.</summary>
    private async Task ResolvePositionsAsync(CancellationToken cancellationToken)
    {
        List<PartitionState>? unresolved = null;
        foreach (var state in _fetcher.Assigned)
        {
            if (state.Position < 0)
            {
                (unresolved ??= new()).Add(state);
            }
        }
        if (unresolved is null)
        {
            return;
        }
        var targets = new Dictionary<TopicPartition, long>();
        var needCommitted = unresolved.Where(s => s.Position == Offsets.Unset).Select(s => s.TopicPartition).ToList();
        if (_member is not null && needCommitted.Count > 0)
        {
            var committed = await CommittedAsync(needCommitted, cancellationToken).ConfigureAwait(false);
            foreach (var (p, offset) in committed)
            {
                if (offset >= 0)
                {
                    targets[p] = offset;
                }
            }
        }
        var queries = new List<(TopicPartition, long)>();
        foreach (var state in unresolved)
        {
            if (targets.ContainsKey(state.TopicPartition))
            {
                continue;
            }
            long query = state.Position switch
            {
                Offsets.Earliest => Offsets.Earliest,
                Offsets.Latest => Offsets.Latest,
                _ => _config.AutoOffsetReset switch
                {
                    AutoOffsetReset.Earliest => Offsets.Earliest,
                    AutoOffsetReset.Latest => Offsets.Latest,
                    _ => throw new KafkaException(ErrorCode.OffsetOutOfRange, $"{state.TopicPartition} has no committed offset and auto.offset.reset is none."),
                },
            };
            queries.Add((state.TopicPartition, query));
        }
        if (queries.Count > 0)
        {
            foreach (var (p, offset) in await OffsetClient.ListOffsetsAsync(_cluster, queries, _config.IsolationLevel, cancellationToken).ConfigureAwait(false))
            {
                targets[p] = offset;
            }
        }
        lock (_fetcher.Lock)
        {
            foreach (var state in unresolved)
            {
                if (state.Position < 0 && targets.TryGetValue(state.TopicPartition, out long offset))
                {
                    state.Seek(offset);
                }
            }
        }
        _fetcher.SendFetches();
    }

    /// <summary>Commits the positions of all assigned partitions (what has been handed out) and waits for the coordinator.</summary>
    public Task CommitAsync(CancellationToken cancellationToken = default)
        => CommitAsync(_fetcher.Assigned.Where(s => s.Position >= 0 && s.Position != s.LastCommitted)
            .Select(s => new TopicPartitionOffset(s.TopicPartition.Topic, s.TopicPartition.Partition, s.Position)).ToList(), cancellationToken);

    /// <summary>Commits these offsets (the next offset to read, as Kafka expects) and waits for the coordinator.</summary>
    public async Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        var member = _member ?? throw new InvalidOperationException("Committing needs group.id.");
        var list = offsets.ToList();
        if (list.Count == 0)
        {
            return;
        }
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                BrokerConnection coordinator = await member.CoordinatorAsync(cancellationToken).ConfigureAwait(false);
                bool inGroup = _subscription.Count > 0;
                try
                {
                    await OffsetClient.CommitAsync(coordinator, _config.GroupId!, inGroup ? member.Generation : -1, inGroup ? member.MemberId : "",
                        _config.GroupInstanceId, list, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (KafkaException e) when (e.ErrorCode == ErrorCode.StaleMemberEpoch && attempt < 3)
                {
                    // KIP-848: the member epoch moved on between heartbeats; commit again with the current one
                    await Task.Delay(_config.RetryBackoffMs, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (KafkaException e) when (e.ErrorCode is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable)
        {
            member.ResetCoordinator();
            throw;
        }
        catch (KafkaException e) when (e.ErrorCode is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
        {
            member.RequestRejoin();
            throw;
        }
        foreach (var o in list)
        {
            if (_fetcher.Find(o.TopicPartition) is { } state)
            {
                state.LastCommitted = o.Offset;
            }
        }
    }

    /// <summary>Commits in the background; the callback gets null or the error.</summary>
    public void Commit(Action<Exception?>? onCompleted = null)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await CommitAsync().ConfigureAwait(false);
                onCompleted?.Invoke(null);
            }
            catch (Exception e)
            {
                onCompleted?.Invoke(e);
            }
        });
    }

    /// <summary>The group's committed offsets for these partitions (-1 when none).</summary>
    public async Task<Dictionary<TopicPartition, long>> CommittedAsync(IReadOnlyCollection<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        var member = _member ?? throw new InvalidOperationException("Committed offsets need group.id.");
        BrokerConnection coordinator = await member.CoordinatorAsync(cancellationToken).ConfigureAwait(false);
        return await OffsetClient.FetchCommittedAsync(coordinator, _config.GroupId!, partitions, cancellationToken).ConfigureAwait(false);
    }
}
