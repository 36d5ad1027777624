using System.Text.RegularExpressions;
using Rill.Protocol;

namespace Rill.Coordination.Groups.Consumer;

/// <summary>
/// One KIP-848 consumer group: the coordinator assigns partitions itself (uniform or range) and
/// each member reconciles towards its target through heartbeats. A member gives up partitions
/// before anyone else gets them: it stays at its epoch until it has revoked what it must, and a
/// partition goes to its new owner only once released. Every method runs on the group's
/// <see cref="SerialExecutor"/>; nothing here takes a lock.
/// </summary>
internal sealed partial class ConsumerGroup
{
    private readonly ConsumerGroupOptions _options;
    private readonly TimeProvider _time;
    private readonly SerialExecutor _executor;
    private readonly ITopicCatalog _catalog;
    private readonly Dictionary<string, ConsumerGroupMember> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal); // instance id -> member id
    private Dictionary<string, HashSet<TopicIdPartition>> _target = new(StringComparer.Ordinal);
    private readonly Dictionary<TopicIdPartition, string> _owners = []; // held (assigned or being revoked) by
    private Dictionary<Guid, int> _subscribedTopics = [];                 // topic id -> partitions at the last target

    public ConsumerGroup(string groupId, ConsumerGroupOptions options, TimeProvider time, SerialExecutor executor, ITopicCatalog catalog)
    {
        GroupId = groupId;
        _options = options;
        _time = time;
        _executor = executor;
        _catalog = catalog;
        StateTimestampMs = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    public string GroupId { get; }
    public int GroupEpoch { get; private set; }
    public int AssignmentEpoch { get; private set; }
    public string AssignorName { get; private set; } = "";
    public int MemberCount => _members.Count;
    public bool IsDead { get; private set; }

    /// <summary>When the group last became empty (offsets of an empty group expire from here).</summary>
    public long StateTimestampMs { get; private set; }

    public ConsumerGroupState State
    {
        get
        {
            if (IsDead)
            {
                return ConsumerGroupState.Dead;
            }
            if (_members.Count == 0)
            {
                return ConsumerGroupState.Empty;
            }
            if (GroupEpoch > AssignmentEpoch)
            {
                return ConsumerGroupState.Assigning;
            }
            return _members.Values.All(m => m.MemberEpoch == AssignmentEpoch && m.State == MemberState.Stable)
                ? ConsumerGroupState.Stable : ConsumerGroupState.Reconciling;
        }
    }

    // Heartbeat ------------------------------------------------------------------------------------

    public ConsumerHeartbeatResult Heartbeat(ConsumerHeartbeat request)
    {
        if (IsDead)
        {
            return ConsumerHeartbeatResult.Fail(ErrorCode.CoordinatorNotAvailable, "The group is being deleted.", request.MemberId);
        }
        if (request.MemberEpoch is -1 or -2)
        {
            return Leave(request);
        }
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }

        bool bump = false;
        ConsumerGroupMember? member;
        if (request.MemberEpoch == 0)
        {
            var joined = Join(request, out bump);
            if (joined.Error is { } error)
            {
                return error;
            }
            member = joined.Member!;
        }
        else
        {
            if (!_members.TryGetValue(request.MemberId, out member) || member.StaticLeaving)
            {
                return ConsumerHeartbeatResult.Fail(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {GroupId}.", request.MemberId);
            }
            if (request.MemberEpoch != member.MemberEpoch
                && !(request.MemberEpoch == member.PreviousMemberEpoch
                     && (request.OwnedPartitions is null || request.OwnedPartitions.IsSubsetOf(member.Assigned))))
            {
                return ConsumerHeartbeatResult.Fail(ErrorCode.FencedMemberEpoch,
                    $"The member epoch {request.MemberEpoch} is fenced; the current epoch is {member.MemberEpoch}.", request.MemberId);
            }
        }

        bump |= Update(member, request);
        bump |= SubscriptionMetadataChanged();
        if (bump)
        {
            GroupEpoch++;
        }
        if (GroupEpoch > AssignmentEpoch)
        {
            ComputeTargetAssignment();
        }
        Reconcile(member, request.OwnedPartitions);
        ArmSession(member);
        MarkDirty(member);
        if (Flush() is var stored && stored != ErrorCode.None)
        {
            return ConsumerHeartbeatResult.Fail(stored, "The group state could not be written.", member.MemberId);
        }

        bool full = request.MemberEpoch == 0 || (request.OwnedPartitions is { } owned && !owned.SameAs(member.Assigned));
        IReadOnlySet<TopicIdPartition>? assignment = null;
        if (full || member.LastSent is null || !member.LastSent.SameAs(member.Assigned))
        {
            assignment = member.Assigned.ToHashSet();
            member.LastSent = assignment;
        }
        return new ConsumerHeartbeatResult(ErrorCode.None, null, member.MemberId, member.MemberEpoch, _options.HeartbeatIntervalMs, assignment);
    }

    private ConsumerHeartbeatResult? Validate(ConsumerHeartbeat request)
    {
        if (request.MemberId.Length == 0 && (request.ApiVersion >= 1 || request.MemberEpoch != 0))
        {
            return ConsumerHeartbeatResult.Fail(ErrorCode.InvalidRequest, "MemberId can't be empty.");
        }
        if (request.MemberEpoch < -2)
        {
            return ConsumerHeartbeatResult.Fail(ErrorCode.InvalidRequest, $"MemberEpoch {request.MemberEpoch} is invalid.", request.MemberId);
        }
        if (request.MemberEpoch == 0)
        {
            if (request.RebalanceTimeoutMs < 0)
            {
                return ConsumerHeartbeatResult.Fail(ErrorCode.InvalidRequest, "RebalanceTimeoutMs must be provided in first request.", request.MemberId);
            }
            if (request.SubscribedTopicNames is null && request.SubscribedTopicRegex is null)
            {
                return ConsumerHeartbeatResult.Fail(ErrorCode.InvalidRequest,
                    "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.", request.MemberId);
            }
        }
        if (request.ServerAssignor is { } assignor && (!_options.Assignors.Contains(assignor) || PartitionAssignors.Find(assignor) is null))
        {
            return ConsumerHeartbeatResult.Fail(ErrorCode.UnsupportedAssignor,
                $"ServerAssignor {assignor} is not supported. Supported assignors: {string.Join(", ", _options.Assignors)}.", request.MemberId);
        }
        if (request.SubscribedTopicRegex is { Length: > 0 } regex && TopicRegex(regex) is null)
        {
            return ConsumerHeartbeatResult.Fail(ErrorCode.InvalidRegularExpression, $"SubscribedTopicRegex {regex} is not a valid regular expression.", request.MemberId);
        }
        return null;
    }

    /// <summary>A member joining with epoch 0: new, rejoining under its id, or a static member replacing its earlier incarnation.</summary>
    private (ConsumerGroupMember? Member, ConsumerHeartbeatResult? Error) Join(ConsumerHeartbeat request, out bool bump)
    {
        bump = false;
        string memberId = request.MemberId.Length > 0 ? request.MemberId : Guid.NewGuid().ToString("N");
        if (request.InstanceId is { } instance && _staticMembers.TryGetValue(instance, out string? previousId) && previousId != memberId)
        {
            ConsumerGroupMember previous = _members[previousId];
            if (!previous.StaticLeaving)
            {
                return (null, ConsumerHeartbeatResult.Fail(ErrorCode.UnreleasedInstanceId,
                    $"Static member {previousId} with instance id {instance} is not released yet.", memberId));
            }
            // KIP-345 for the new protocol: the new incarnation takes over the epoch and partitions.
            previous.SessionTimer?.Dispose();
            previous.RevocationTimer?.Dispose();
            _members.Remove(previousId);
            MarkGone(previous);
            var replacement = new ConsumerGroupMember
            {
                MemberId = memberId,
                InstanceId = instance,
                MemberEpoch = previous.MemberEpoch,
                PreviousMemberEpoch = previous.PreviousMemberEpoch,
                State = previous.State,
                Assigned = previous.Assigned,
                PendingRevocation = previous.PendingRevocation,
                SubscribedTopicNames = previous.SubscribedTopicNames,
                SubscribedTopicRegex = previous.SubscribedTopicRegex,
                ServerAssignor = previous.ServerAssignor,
                RackId = previous.RackId,
            };
            _members[memberId] = replacement;
            _staticMembers[instance] = memberId;
            foreach (TopicIdPartition tp in replacement.Assigned.Concat(replacement.PendingRevocation))
            {
                _owners[tp] = memberId;
            }
            if (_target.Remove(previousId, out var target))
            {
                _target[memberId] = target;
            }
            return (replacement, null);
        }
        if (_members.TryGetValue(memberId, out ConsumerGroupMember? existing))
        {
            // Rejoining under the same id (the client lost its state): it is sent its full assignment again.
            existing.LastSent = null;
            return (existing, null);
        }
        if (_members.Count >= _options.MaxSize)
        {
            return (null, ConsumerHeartbeatResult.Fail(ErrorCode.GroupMaxSizeReached, $"The group {GroupId} has reached its maximum size {_options.MaxSize}.", memberId));
        }
        var member = new ConsumerGroupMember { MemberId = memberId, InstanceId = request.InstanceId };
        _members[memberId] = member;
        if (request.InstanceId is { } id)
        {
            _staticMembers[id] = memberId;
        }
        bump = true;
        return (member, null);
    }

    /// <summary>Applies the fields the member sent; true when that changes the target assignment.</summary>
    private static bool Update(ConsumerGroupMember member, ConsumerHeartbeat request)
    {
        bool changed = false;
        member.ClientId = request.ClientId;
        member.ClientHost = request.ClientHost;
        if (request.RackId is { } rack)
        {
            member.RackId = rack;
        }
        if (request.RebalanceTimeoutMs >= 0)
        {
            member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        }
        if (request.SubscribedTopicNames is { } names && !names.Order(StringComparer.Ordinal).SequenceEqual(member.SubscribedTopicNames.Order(StringComparer.Ordinal)))
        {
            member.SubscribedTopicNames = names.Distinct(StringComparer.Ordinal).ToList();
            changed = true;
        }
        if (request.SubscribedTopicRegex is { } regex && regex != (member.SubscribedTopicRegex ?? ""))
        {
            member.SubscribedTopicRegex = regex.Length == 0 ? null : regex;
            changed = true;
        }
        if (request.ServerAssignor is { } assignor && assignor != member.ServerAssignor)
        {
            member.ServerAssignor = assignor;
            changed = true;
        }
        return changed;
    }

    // Leaving and expiry ---------------------------------------------------------------------------

    private ConsumerHeartbeatResult Leave(ConsumerHeartbeat request)
    {
        string? id = request.MemberId;
        if (request.InstanceId is { } instance && _staticMembers.TryGetValue(instance, out string? staticId))
        {
            if (id.Length > 0 && id != staticId)
            {
                return ConsumerHeartbeatResult.Fail(ErrorCode.FencedInstanceId, $"Instance {instance} is owned by another member.", id);
            }
            id = staticId;
        }
        if (!_members.TryGetValue(id, out ConsumerGroupMember? member))
        {
            return ConsumerHeartbeatResult.Fail(ErrorCode.UnknownMemberId, $"Member {request.MemberId} is not a member of group {GroupId}.", request.MemberId);
        }
        if (request.MemberEpoch == -2 && member.InstanceId is not null)
        {
            // A static member stepping out temporarily keeps its partitions until its session expires.
            member.StaticLeaving = true;
            ArmSession(member);
            return new ConsumerHeartbeatResult(ErrorCode.None, null, member.MemberId, -2, 0, null);
        }
        RemoveMember(member);
        Flush();
        return new ConsumerHeartbeatResult(ErrorCode.None, null, member.MemberId, -1, 0, null);
    }

    private void RemoveMember(ConsumerGroupMember member)
    {
        MarkGone(member);
        member.SessionTimer?.Dispose();
        member.RevocationTimer?.Dispose();
        _members.Remove(member.MemberId);
        if (member.InstanceId is { } instance && _staticMembers.GetValueOrDefault(instance) == member.MemberId)
        {
            _staticMembers.Remove(instance);
        }
        foreach (TopicIdPartition tp in member.Assigned.Concat(member.PendingRevocation))
        {
            if (_owners.GetValueOrDefault(tp) == member.MemberId)
            {
                _owners.Remove(tp);
            }
        }
        _target.Remove(member.MemberId);
        GroupEpoch++;
        if (_members.Count == 0)
        {
            StateTimestampMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            ComputeTargetAssignment();
        }
    }

    private void ArmSession(ConsumerGroupMember member)
    {
        TimeSpan timeout = TimeSpan.FromMilliseconds(_options.SessionTimeoutMs);
        if (member.SessionTimer is null)
        {
            member.SessionTimer = _time.CreateTimer(_ => _executor.Post(() => Expire(member)), null, timeout, Timeout.InfiniteTimeSpan);
        }
        else
        {
            member.SessionTimer.Change(timeout, Timeout.InfiniteTimeSpan);
        }
    }

    private void Expire(ConsumerGroupMember member)
    {
        if (_members.TryGetValue(member.MemberId, out var current) && ReferenceEquals(current, member))
        {
            RemoveMember(member);
            Flush();
        }
    }

    // Description ----------------------------------------------------------------------------------

    public ConsumerGroupDescription Describe() => new(ErrorCode.None, null, GroupId, State, GroupEpoch, AssignmentEpoch, AssignorName,
        _members.Values.Select(m => new ConsumerMemberDescription(m.MemberId, m.InstanceId, m.RackId, m.MemberEpoch, m.ClientId, m.ClientHost,
            m.SubscribedTopicNames, m.SubscribedTopicRegex, m.Assigned.ToHashSet(),
            _target.TryGetValue(m.MemberId, out var t) ? t.ToHashSet() : PartitionSets.Empty)).ToList());

    /// <summary>Topics any member subscribes to (by name or by regex).</summary>
    public IReadOnlySet<string> SubscribedTopicNames()
        => _members.Values.SelectMany(m => ResolveTopics(m).Select(t => t.Name).Concat(m.SubscribedTopicNames)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// OffsetCommit, as Kafka 4.0-4.2 validates it: a negative epoch while the group has no members
    /// is a commit from outside the group protocol (assign(), the admin client, a member that has
    /// already left), whatever member id it carries. Otherwise the member must exist
    /// (UNKNOWN_MEMBER_ID), commit with v9+ (UNSUPPORTED_VERSION) and at its current epoch
    /// (STALE_MEMBER_EPOCH). Partitions are not checked against the member's assignment.
    /// </summary>
    public ErrorCode ValidateCommit(string memberId, int memberEpoch, short apiVersion)
    {
        if (IsDead)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }
        if (memberEpoch < 0 && _members.Count == 0)
        {
            return ErrorCode.None;
        }
        if (!_members.TryGetValue(memberId, out ConsumerGroupMember? member))
        {
            return ErrorCode.UnknownMemberId;
        }
        if (apiVersion < 9)
        {
            return ErrorCode.UnsupportedVersion;
        }
        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
    }

    /// <summary>OffsetFetch v9+ naming a member: it must exist at that epoch.</summary>
    public ErrorCode ValidateFetch(string? memberId, int memberEpoch)
    {
        if (memberId is null || memberId.Length == 0 && memberEpoch < 0)
        {
            return ErrorCode.None;
        }
        if (!_members.TryGetValue(memberId, out ConsumerGroupMember? member))
        {
            return ErrorCode.UnknownMemberId;
        }
        return memberEpoch == member.MemberEpoch ? ErrorCode.None : ErrorCode.StaleMemberEpoch;
    }

    /// <summary>DeleteGroups: only an empty group (NON_EMPTY_GROUP otherwise).</summary>
    public ErrorCode Delete()
    {
        if (_members.Count > 0)
        {
            return ErrorCode.NonEmptyGroup;
        }
        IsDead = true;
        return ErrorCode.None;
    }

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The member's regex as a full-match pattern (Kafka matches whole topic names); null when invalid.</summary>
    private static Regex? TopicRegex(string pattern)
    {
        try
        {
            return new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
