using System.Text.RegularExpressions;

namespace Rill.Coordination.Groups.Consumer;

internal sealed partial class ConsumerGroup
{
    /// <summary>The existing topics a member subscribes to: its names plus, for a regex, every matching non-internal topic.</summary>
    private List<TopicInfo> ResolveTopics(ConsumerGroupMember member)
    {
        var topics = new List<TopicInfo>();
        foreach (string name in member.SubscribedTopicNames)
        {
            if (_catalog.Find(name) is { } topic)
            {
                topics.Add(topic);
            }
        }
        if (member.SubscribedTopicRegex is { } pattern && TopicRegex(pattern) is { } regex)
        {
            foreach (TopicInfo topic in _catalog.All())
            {
                if (!topic.Name.StartsWith("__", StringComparison.Ordinal) && Matches(regex, topic.Name) && !topics.Any(t => t.Id == topic.Id))
                {
                    topics.Add(topic);
                }
            }
        }
        return topics;
    }

    private static bool Matches(Regex regex, string name)
    {
        try
        {
            return regex.IsMatch(name);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>True when a subscribed topic appeared, disappeared or gained partitions since the target was computed.</summary>
    private bool SubscriptionMetadataChanged()
    {
        var now = new Dictionary<Guid, int>();
        foreach (ConsumerGroupMember member in _members.Values)
        {
            foreach (TopicInfo topic in ResolveTopics(member))
            {
                now[topic.Id] = topic.Partitions;
            }
        }
        if (now.Count == _subscribedTopics.Count && now.All(t => _subscribedTopics.TryGetValue(t.Key, out int p) && p == t.Value))
        {
            return false;
        }
        return true;
    }

    /// <summary>Runs the group's assignor over the members' subscriptions: the new target, at the group epoch.</summary>
    private void ComputeTargetAssignment()
    {
        string name = _members.Values.Select(m => m.ServerAssignor).Where(a => a is not null)
            .GroupBy(a => a!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key)
            .FirstOrDefault() ?? _options.Assignors.FirstOrDefault() ?? "uniform";
        IPartitionAssignor assignor = PartitionAssignors.Find(name) ?? PartitionAssignors.All[0];
        AssignorName = assignor.Name;
        var subscribed = new Dictionary<Guid, int>();
        var specs = new List<AssignmentMember>();
        foreach (ConsumerGroupMember member in _members.Values.OrderBy(m => m.MemberId, StringComparer.Ordinal))
        {
            List<TopicInfo> topics = ResolveTopics(member);
            foreach (TopicInfo t in topics)
            {
                subscribed[t.Id] = t.Partitions;
            }
            specs.Add(new AssignmentMember(member.MemberId, member.RackId, topics,
                _target.TryGetValue(member.MemberId, out var current) ? current : PartitionSets.Empty));
        }
        _target = assignor.Assign(specs);
        _subscribedTopics = subscribed;
        AssignmentEpoch = GroupEpoch;
        _options.Rebalanced?.Invoke(new GroupRebalance(GroupId, "consumer", GroupEpoch, _members.Count, AssignorName, null, null));
    }

    /// <summary>
    /// Moves a member towards its target (Kafka's current-assignment builder): partitions it must
    /// give up are revoked first, at its current epoch; once its heartbeat shows it no longer owns
    /// them, it moves to the assignment epoch and receives the partitions nobody else holds.
    /// </summary>
    private void Reconcile(ConsumerGroupMember member, IReadOnlySet<TopicIdPartition>? owned)
    {
        if (member.State == MemberState.UnrevokedPartitions)
        {
            if (owned is null || owned.Overlaps(member.PendingRevocation))
            {
                return; // still revoking (or the member did not say): wait, bounded by the rebalance timeout
            }
            Release(member, member.PendingRevocation);
            member.PendingRevocation = [];
            member.State = MemberState.Stable;
            member.RevocationTimer?.Dispose();
            member.RevocationTimer = null;
        }
        if (member.MemberEpoch == AssignmentEpoch && member.State == MemberState.Stable)
        {
            return;
        }

        IReadOnlySet<TopicIdPartition> target = _target.TryGetValue(member.MemberId, out var t) ? t : PartitionSets.Empty;
        var kept = member.Assigned.Where(target.Contains).ToHashSet();
        var revoke = member.Assigned.Where(tp => !target.Contains(tp)).ToHashSet();
        if (revoke.Count > 0)
        {
            member.Assigned = kept;
            member.PendingRevocation = revoke;
            member.State = MemberState.UnrevokedPartitions;
            ArmRevocation(member);
            return;
        }

        foreach (TopicIdPartition tp in target)
        {
            if (!kept.Contains(tp) && (!_owners.TryGetValue(tp, out string? holder) || holder == member.MemberId))
            {
                kept.Add(tp);
                _owners[tp] = member.MemberId;
            }
        }
        member.Assigned = kept;
        if (member.MemberEpoch != AssignmentEpoch)
        {
            member.PreviousMemberEpoch = member.MemberEpoch;
            member.MemberEpoch = AssignmentEpoch;
        }
        member.State = kept.Count < target.Count ? MemberState.UnreleasedPartitions : MemberState.Stable;
    }

    private void Release(ConsumerGroupMember member, IEnumerable<TopicIdPartition> partitions)
    {
        foreach (TopicIdPartition tp in partitions)
        {
            if (_owners.GetValueOrDefault(tp) == member.MemberId)
            {
                _owners.Remove(tp);
            }
        }
    }

    /// <summary>A member that has not revoked within its rebalance timeout is removed from the group (fenced).</summary>
    private void ArmRevocation(ConsumerGroupMember member)
    {
        member.RevocationTimer?.Dispose();
        int epoch = member.MemberEpoch;
        member.RevocationTimer = _time.CreateTimer(_ => _executor.Post(() =>
        {
            if (_members.TryGetValue(member.MemberId, out var current) && ReferenceEquals(current, member)
                && member.State == MemberState.UnrevokedPartitions && member.MemberEpoch == epoch)
            {
                RemoveMember(member);
                Flush();
            }
        }), null, TimeSpan.FromMilliseconds(Math.Max(1, member.RebalanceTimeoutMs)), Timeout.InfiniteTimeSpan);
    }
}
