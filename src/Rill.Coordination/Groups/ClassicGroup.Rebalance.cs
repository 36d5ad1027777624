using Rill.Protocol;

namespace Rill.Coordination.Groups;

internal sealed partial class ClassicGroup
{
    /// <summary>Moves to PreparingRebalance (if not already) and arms the join deadline.</summary>
    private void PrepareRebalance()
    {
        if (State == GroupState.PreparingRebalance)
        {
            return;
        }
        bool fromEmpty = State == GroupState.Empty;
        _rebalanceStarted = _time.GetTimestamp();
        foreach (GroupMember member in _members.Values)
        {
            member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.RebalanceInProgress, null, null, default));
            member.PendingSync = null;
        }
        State = GroupState.PreparingRebalance;
        int rebalanceTimeout = _members.Count == 0 ? 0 : _members.Values.Max(m => m.RebalanceTimeoutMs);
        int delay = fromEmpty ? Math.Min(_options.InitialRebalanceDelayMs, Math.Max(rebalanceTimeout, 1)) : rebalanceTimeout;
        _rebalanceDeadline = _time.GetTimestamp() + (long)(rebalanceTimeout * (_time.TimestampFrequency / 1000.0));
        ArmJoinTimer(delay, initial: fromEmpty && delay > 0);
    }

    private void ArmJoinTimer(int delayMs, bool initial)
    {
        _joinTimer?.Dispose();
        int generation = GenerationId;
        _joinTimer = _time.CreateTimer(_ => _executor.Post(() =>
        {
            if (State == GroupState.PreparingRebalance && GenerationId == generation)
            {
                CompleteJoin();
            }
        }), null, TimeSpan.FromMilliseconds(Math.Max(0, delayMs)), Timeout.InfiniteTimeSpan);
        _initialDelay = initial;
    }

    private bool _initialDelay;
    private long _rebalanceStarted;

    /// <summary>Tells the options' observer that a rebalance completed (the group is now Stable or Empty).</summary>
    private void ReportRebalance()
        => _options.Rebalanced?.Invoke(new GroupRebalance(GroupId, "classic", GenerationId, _members.Count, ProtocolName, LeaderId,
            _time.GetElapsedTime(_rebalanceStarted)));

    /// <summary>
    /// Completes the join phase early once every known member has rejoined (not during the initial
    /// delay). When the last members left there is nobody to wait for: the join completes at once,
    /// even during the initial delay, and the group becomes Empty (as Kafka does), instead of
    /// sitting in PreparingRebalance with no members until the rebalance timeout.
    /// </summary>
    private void TryCompleteJoin()
    {
        if (State != GroupState.PreparingRebalance)
        {
            return;
        }
        if (_members.Count == 0 || (!_initialDelay && _members.Values.All(m => m.PendingJoin is not null)))
        {
            CompleteJoin();
        }
    }

    private void CompleteJoin()
    {
        _joinTimer?.Dispose();
        _joinTimer = null;
        _initialDelay = false;
        foreach (GroupMember missing in _members.Values.Where(m => m.PendingJoin is null).ToList())
        {
            RemoveMember(missing);
        }
        GenerationId++;
        if (_members.Count == 0)
        {
            State = GroupState.Empty;
            ProtocolName = null;
            LeaderId = null;
            _store(ToSnapshot());
            ReportRebalance();
            return;
        }

        ProtocolName = SelectProtocol();
        if (LeaderId is null || !_members.ContainsKey(LeaderId))
        {
            LeaderId = _members.Keys.First();
        }
        State = GroupState.CompletingRebalance;
        IReadOnlyList<JoinMember> all = MembersFor(ProtocolName);
        foreach (GroupMember member in _members.Values)
        {
            TaskCompletionSource<JoinResult> pending = member.PendingJoin!;
            member.PendingJoin = null;
            member.Assignment = ReadOnlyMemory<byte>.Empty;
            ArmSession(member);
            pending.TrySetResult(new JoinResult(ErrorCode.None, GenerationId, ProtocolType, ProtocolName, LeaderId, member.MemberId,
                member.MemberId == LeaderId ? all : []));
        }
    }

    /// <summary>Each member votes for its most preferred protocol that every member supports.</summary>
    private string SelectProtocol()
    {
        var candidates = _members.Values.First().Protocols.Select(p => p.Name)
            .Where(name => _members.Values.All(m => m.Protocols.Any(p => p.Name == name)))
            .ToHashSet(StringComparer.Ordinal);
        return _members.Values
            .Select(m => m.Protocols.First(p => candidates.Contains(p.Name)).Name)
            .GroupBy(name => name)
            .OrderByDescending(g => g.Count())
            .First().Key;
    }

    private IReadOnlyList<JoinMember> MembersFor(string protocol)
        => _members.Values.Select(m => new JoinMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(protocol))).ToList();

    // SyncGroup ----------------------------------------------------------------------------------

    public Task<SyncResult> Sync(int generationId, string memberId, string? groupInstanceId,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>> assignments)
    {
        if (State == GroupState.Dead)
        {
            return Done(new SyncResult(ErrorCode.CoordinatorNotAvailable, null, null, default));
        }
        if (!TryGetCurrentMember(memberId, groupInstanceId, out GroupMember? member, out ErrorCode memberError))
        {
            return Done(new SyncResult(memberError, null, null, default));
        }
        if (generationId != GenerationId)
        {
            return Done(new SyncResult(ErrorCode.IllegalGeneration, null, null, default));
        }
        ArmSession(member);
        switch (State)
        {
            case GroupState.PreparingRebalance:
                return Done(new SyncResult(ErrorCode.RebalanceInProgress, null, null, default));
            case GroupState.Stable:
                return Done(new SyncResult(ErrorCode.None, ProtocolType, ProtocolName, member.Assignment));
        }

        member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.RebalanceInProgress, null, null, default));
        member.PendingSync = new TaskCompletionSource<SyncResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<SyncResult> result = member.PendingSync.Task;
        if (memberId == LeaderId)
        {
            foreach (GroupMember m in _members.Values)
            {
                m.Assignment = assignments.TryGetValue(m.MemberId, out ReadOnlyMemory<byte> a) ? a : ReadOnlyMemory<byte>.Empty;
            }
            // Written before anyone learns the assignment, as Kafka does: after a restart the
            // group resumes with these members, this generation and these assignments.
            ErrorCode stored = _store(ToSnapshot());
            if (stored != ErrorCode.None)
            {
                foreach (GroupMember m in _members.Values)
                {
                    m.Assignment = ReadOnlyMemory<byte>.Empty;
                    m.PendingSync?.TrySetResult(new SyncResult(stored, null, null, default));
                    m.PendingSync = null;
                }
                PrepareRebalance();
                return result;
            }
            State = GroupState.Stable;
            foreach (GroupMember m in _members.Values)
            {
                m.PendingSync?.TrySetResult(new SyncResult(ErrorCode.None, ProtocolType, ProtocolName, m.Assignment));
                m.PendingSync = null;
            }
            ReportRebalance();
        }
        return result;
    }

    // Heartbeat and leave -------------------------------------------------------------------------

    public ErrorCode Heartbeat(int generationId, string memberId, string? groupInstanceId)
    {
        if (State == GroupState.Dead)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        if (!TryGetCurrentMember(memberId, groupInstanceId, out GroupMember? member, out ErrorCode memberError))
        {
            return memberError;
        }
        if (generationId != GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }
        ArmSession(member);
        return State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>Removes members by id or, for static members, by instance id (KIP-345 batch leave).</summary>
    public IReadOnlyList<(string MemberId, string? InstanceId, ErrorCode Error)> Leave(IReadOnlyList<(string MemberId, string? InstanceId)> leaving)
    {
        var results = new List<(string, string?, ErrorCode)>();
        bool removed = false;
        foreach (var (memberId, instanceId) in leaving)
        {
            string? id = instanceId is not null ? _staticMembers.GetValueOrDefault(instanceId) : memberId;
            if (instanceId is not null && memberId.Length > 0 && id != memberId)
            {
                results.Add((memberId, instanceId, ErrorCode.FencedInstanceId));
                continue;
            }
            if (id is null || !_members.TryGetValue(id, out GroupMember? member))
            {
                results.Add((memberId, instanceId, ErrorCode.UnknownMemberId));
                continue;
            }
            RemoveMember(member);
            removed = true;
            results.Add((memberId, instanceId, ErrorCode.None));
        }
        if (removed)
        {
            MembershipChanged();
        }
        return results;
    }

    private void RemoveMember(GroupMember member)
    {
        _members.Remove(member.MemberId);
        if (member.GroupInstanceId is { } instance && _staticMembers.GetValueOrDefault(instance) == member.MemberId)
        {
            _staticMembers.Remove(instance);
        }
        member.SessionTimer?.Dispose();
        member.PendingJoin?.TrySetResult(JoinResult.Fail(ErrorCode.UnknownMemberId, member.MemberId));
        member.PendingSync?.TrySetResult(new SyncResult(ErrorCode.UnknownMemberId, null, null, default));
        if (LeaderId == member.MemberId)
        {
            LeaderId = _members.Keys.FirstOrDefault();
        }
    }

    /// <summary>After members left or expired: rebalance the rest, or become Empty.</summary>
    private void MembershipChanged()
    {
        if (_members.Count == 0 && State != GroupState.PreparingRebalance)
        {
            _joinTimer?.Dispose();
            _rebalanceStarted = _time.GetTimestamp();
            State = GroupState.Empty;
            GenerationId++;
            ProtocolName = null;
            LeaderId = null;
            _store(ToSnapshot());
            ReportRebalance();
            return;
        }
        if (State == GroupState.PreparingRebalance)
        {
            TryCompleteJoin();
        }
        else
        {
            PrepareRebalance();
        }
    }

    private void ArmSession(GroupMember member)
    {
        TimeSpan timeout = TimeSpan.FromMilliseconds(member.SessionTimeoutMs);
        if (member.SessionTimer is null)
        {
            string id = member.MemberId;
            member.SessionTimer = _time.CreateTimer(_ => _executor.Post(() => Expire(id, member)), null, timeout, Timeout.InfiniteTimeSpan);
        }
        else
        {
            member.SessionTimer.Change(timeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void Expire(string memberId, GroupMember member)
    {
        if (!_members.TryGetValue(memberId, out GroupMember? current) || !ReferenceEquals(current, member) || member.PendingJoin is not null)
        {
            return; // gone, replaced, or waiting in a join (the join deadline handles that)
        }
        RemoveMember(member);
        MembershipChanged();
    }

    // Description and deletion ---------------------------------------------------------------------

    public GroupDescription Describe() => new(ErrorCode.None, GroupId, State, ProtocolType ?? "",
        State == GroupState.Stable || State == GroupState.CompletingRebalance ? ProtocolName ?? "" : "",
        _members.Values.Select(m => new DescribedMember(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
            ProtocolName is null ? ReadOnlyMemory<byte>.Empty : m.MetadataFor(ProtocolName), m.Assignment)).ToList());

    /// <summary>Marks an empty group dead (DeleteGroups). Fails with NON_EMPTY_GROUP when members remain.</summary>
    public ErrorCode Delete()
    {
        if (_members.Count > 0 || State is not (GroupState.Empty or GroupState.Dead))
        {
            return ErrorCode.NonEmptyGroup;
        }
        State = GroupState.Dead;
        _joinTimer?.Dispose();
        foreach (ITimer timer in _pendingMembers.Values)
        {
            timer.Dispose();
        }
        return ErrorCode.None;
    }

    /// <summary>
    /// Static-membership fencing first (a newer incarnation owns the instance id), then whether
    /// the member exists; false with the error otherwise.
    /// </summary>
    private bool TryGetCurrentMember(string memberId, string? groupInstanceId,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GroupMember? member, out ErrorCode error)
    {
        member = null;
        error = ErrorCode.None;
        if (groupInstanceId is not null && _staticMembers.TryGetValue(groupInstanceId, out string? owner) && owner != memberId)
        {
            error = ErrorCode.FencedInstanceId;
            return false;
        }
        if (!_members.TryGetValue(memberId, out member))
        {
            error = ErrorCode.UnknownMemberId;
            return false;
        }
        return true;
    }

    /// <summary>
    /// Whether an offset commit from this member/generation is accepted. A dead group is not
    /// available. Generation -1 while the group is Empty is a commit from outside the group protocol
    /// (assign(), the admin client, a consumer that already left) and is accepted whatever member id
    /// it names, as Kafka does; a commit naming no member, generation or instance id is refused
    /// otherwise (UNKNOWN_MEMBER_ID). While the group completes a rebalance a member gets
    /// REBALANCE_IN_PROGRESS before its generation is checked (Kafka 2.x's order; Kafka 3.x/4.x
    /// answer a commit of the previous generation with ILLEGAL_GENERATION there, on which
    /// librdkafka drops the cooperative assignment it keeps); then the member must be current
    /// (FENCED_INSTANCE_ID, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION). While the group prepares a
    /// rebalance, members still commit what they consumed in the current generation.
    /// </summary>
    public ErrorCode ValidateCommit(int generationId, string memberId, string? groupInstanceId)
    {
        if (State == GroupState.Dead)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        if (generationId < 0 && State == GroupState.Empty)
        {
            return ErrorCode.None;
        }
        if (generationId < 0 && memberId.Length == 0 && groupInstanceId is null)
        {
            return ErrorCode.UnknownMemberId;
        }
        if (State == GroupState.CompletingRebalance)
        {
            return ErrorCode.RebalanceInProgress;
        }
        if (groupInstanceId is not null)
        {
            if (!_staticMembers.TryGetValue(groupInstanceId, out string? owner))
            {
                return ErrorCode.UnknownMemberId;
            }
            if (owner != memberId)
            {
                return ErrorCode.FencedInstanceId;
            }
        }
        if (!_members.TryGetValue(memberId, out GroupMember? member))
        {
            return ErrorCode.UnknownMemberId;
        }
        if (generationId != GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }
        ArmSession(member); // a commit counts as a sign of life
        return ErrorCode.None;
    }
}
