using Rill.Protocol;

namespace Rill.Coordination.Groups;

/// <summary>
/// One classic consumer group: Kafka's Empty / PreparingRebalance / CompletingRebalance / Stable
/// state machine with generations, required member ids (KIP-394), static members (KIP-345),
/// session and rebalance timeouts and the initial rebalance delay. Every method runs on the
/// group's <see cref="SerialExecutor"/>; nothing here takes a lock.
/// </summary>
internal sealed partial class ClassicGroup
{
    private readonly GroupCoordinatorOptions _options;
    private readonly TimeProvider _time;
    private readonly SerialExecutor _executor;
    private readonly Dictionary<string, GroupMember> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal); // instance id -> member id
    private readonly Dictionary<string, ITimer> _pendingMembers = new(StringComparer.Ordinal); // KIP-394
    private readonly Func<GroupSnapshot, ErrorCode> _store;
    private ITimer? _joinTimer;
    private long _rebalanceDeadline;
    private GroupState _state = GroupState.Empty;

    /// <param name="store">Persists the group's metadata (the record Kafka writes to __consumer_offsets) and returns the error to answer if it cannot.</param>
    public ClassicGroup(string groupId, GroupCoordinatorOptions options, TimeProvider time, SerialExecutor executor,
        Func<GroupSnapshot, ErrorCode>? store = null)
    {
        GroupId = groupId;
        _options = options;
        _time = time;
        _executor = executor;
        _store = store ?? (_ => ErrorCode.None);
        StateTimestampMs = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    public string GroupId { get; }

    public GroupState State
    {
        get => _state;
        private set
        {
            _state = value;
            StateTimestampMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        }
    }

    /// <summary>When the group entered its current state (Kafka's currentStateTimestamp): offsets of an Empty group expire from here.</summary>
    public long StateTimestampMs { get; private set; }
    public int GenerationId { get; private set; }
    public string? ProtocolType { get; private set; }
    public string? ProtocolName { get; private set; }
    public string? LeaderId { get; private set; }
    public int MemberCount => _members.Count;

    public bool HasMember(string memberId) => _members.ContainsKey(memberId);

    // JoinGroup ----------------------------------------------------------------------------------

    public Task<JoinResult> Join(JoinRequest request)
    {
        if (State == GroupState.Dead)
        {
            return Done(JoinResult.Fail(ErrorCode.CoordinatorNotAvailable, request.MemberId));
        }
        if (request.SessionTimeoutMs < _options.MinSessionTimeoutMs || request.SessionTimeoutMs > _options.MaxSessionTimeoutMs)
        {
            return Done(JoinResult.Fail(ErrorCode.InvalidSessionTimeout, request.MemberId));
        }
        if (request.Protocols.Count == 0 || request.ProtocolType.Length == 0 || !SupportsProtocols(request))
        {
            return Done(JoinResult.Fail(ErrorCode.InconsistentGroupProtocol, request.MemberId));
        }

        if (request.MemberId.Length == 0)
        {
            return JoinUnknownMember(request);
        }
        if (_members.TryGetValue(request.MemberId, out GroupMember? member))
        {
            if (request.GroupInstanceId is not null && _staticMembers.GetValueOrDefault(request.GroupInstanceId) != request.MemberId)
            {
                return Done(JoinResult.Fail(ErrorCode.FencedInstanceId, request.MemberId));
            }
            return JoinKnownMember(member, request);
        }
        if (_pendingMembers.Remove(request.MemberId, out ITimer? pending))
        {
            pending.Dispose();
            return AddMemberAndRebalance(request, request.MemberId);
        }
        return Done(JoinResult.Fail(ErrorCode.UnknownMemberId, request.MemberId));
    }

    private Task<JoinResult> JoinUnknownMember(JoinRequest request)
    {
        string newId = $"{request.ClientId}-{Guid.NewGuid()}";
        if (request.GroupInstanceId is { } instance && _staticMembers.TryGetValue(instance, out string? oldId)
            && _members.Remove(oldId, out GroupMember? existing))
        {
            // A static member restarting: same partitions under a new member id, no rebalance if
            // nothing it subscribes to changed (KIP-345).
            existing.SessionTimer?.Dispose();
            var replacement = NewMember(request, newId);
            replacement.Assignment = existing.Assignment;
            _members[newId] = replacement;
            _staticMembers[instance] = newId;
            if (LeaderId == oldId)
            {
                LeaderId = newId;
            }
            existing.PendingJoin?.TrySetResult(JoinResult.Fail(ErrorCode.FencedInstanceId, oldId));
            existing.PendingSync?.TrySetResult(new SyncResult(ErrorCode.FencedInstanceId, null, null, default));
            if (State == GroupState.Stable && existing.SameProtocols(request.Protocols))
            {
                ArmSession(replacement);
                ErrorCode stored = _store(ToSnapshot());
                if (stored != ErrorCode.None)
                {
                    return Done(JoinResult.Fail(stored, newId));
                }
                return Done(new JoinResult(ErrorCode.None, GenerationId, ProtocolType, ProtocolName, LeaderId ?? newId, newId,
                    LeaderId == newId ? MembersFor(ProtocolName!) : []));
            }
            return ParkAndRebalance(replacement);
        }
        if (request.RequireKnownMemberId && request.GroupInstanceId is null)
        {
            ITimer expiry = _time.CreateTimer(_ => _executor.Post(() => _pendingMembers.Remove(newId)), null,
                TimeSpan.FromMilliseconds(request.SessionTimeoutMs), Timeout.InfiniteTimeSpan);
            _pendingMembers[newId] = expiry;
            return Done(JoinResult.Fail(ErrorCode.MemberIdRequired, newId));
        }
        return AddMemberAndRebalance(request, newId);
    }

    private Task<JoinResult> AddMemberAndRebalance(JoinRequest request, string memberId)
    {
        if (_members.Count >= _options.MaxSize)
        {
            return Done(JoinResult.Fail(ErrorCode.GroupMaxSizeReached, memberId));
        }
        GroupMember member = NewMember(request, memberId);
        _members[memberId] = member;
        if (request.GroupInstanceId is { } instance)
        {
            _staticMembers[instance] = memberId;
        }
        ProtocolType ??= request.ProtocolType;
        return ParkAndRebalance(member);
    }

    private Task<JoinResult> JoinKnownMember(GroupMember member, JoinRequest request)
    {
        bool changed = !member.SameProtocols(request.Protocols);
        member.Protocols = request.Protocols;
        member.SessionTimeoutMs = request.SessionTimeoutMs;
        member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        member.ClientId = request.ClientId;
        member.ClientHost = request.ClientHost;
        switch (State)
        {
            case GroupState.PreparingRebalance:
                return Park(member);
            case GroupState.CompletingRebalance or GroupState.Stable when !changed && member.MemberId != LeaderId:
                // A follower rejoining with the same subscription: the current generation stands.
                ArmSession(member);
                return Done(new JoinResult(ErrorCode.None, GenerationId, ProtocolType, ProtocolName, LeaderId!, member.MemberId, []));
            default:
                return ParkAndRebalance(member);
        }
    }

    private GroupMember NewMember(JoinRequest request, string memberId) => new()
    {
        MemberId = memberId,
        GroupInstanceId = request.GroupInstanceId,
        ClientId = request.ClientId,
        ClientHost = request.ClientHost,
        SessionTimeoutMs = request.SessionTimeoutMs,
        RebalanceTimeoutMs = request.RebalanceTimeoutMs > 0 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs,
        ProtocolType = request.ProtocolType,
        Protocols = request.Protocols,
    };

    private Task<JoinResult> Park(GroupMember member)
    {
        member.PendingJoin?.TrySetResult(JoinResult.Fail(ErrorCode.UnknownMemberId, member.MemberId));
        member.PendingJoin = new TaskCompletionSource<JoinResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<JoinResult> result = member.PendingJoin.Task;
        TryCompleteJoin();
        return result;
    }

    private Task<JoinResult> ParkAndRebalance(GroupMember member)
    {
        PrepareRebalance();
        return Park(member);
    }

    private bool SupportsProtocols(JoinRequest request)
    {
        if (_members.Count == 0 || (_members.Count == 1 && _members.ContainsKey(request.MemberId)))
        {
            return true;
        }
        if (ProtocolType is not null && ProtocolType != request.ProtocolType)
        {
            return false;
        }
        return request.Protocols.Any(p => _members.Values.Where(m => m.MemberId != request.MemberId)
            .All(m => m.Protocols.Any(q => q.Name == p.Name)));
    }

    private static Task<T> Done<T>(T value) => Task.FromResult(value);
}
