using Rill.Protocol;

namespace Rill.Coordination.Groups.Consumer;

internal sealed partial class ConsumerGroup
{
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _gone = new(StringComparer.Ordinal);
    private Func<IReadOnlyList<(byte[] Key, byte[]? Value)>, ErrorCode> _store = _ => ErrorCode.None;
    private int _persistedEpoch = -1;

    /// <summary>Where the group writes its records (the coordinator's __consumer_offsets).</summary>
    public Func<IReadOnlyList<(byte[] Key, byte[]? Value)>, ErrorCode> Store
    {
        set => _store = value;
    }

    private void MarkDirty(ConsumerGroupMember member)
    {
        _dirty.Add(member.MemberId);
        _gone.Remove(member.MemberId);
    }

    private void MarkGone(ConsumerGroupMember member)
    {
        _dirty.Remove(member.MemberId);
        _gone.Add(member.MemberId);
    }

    /// <summary>
    /// Writes what changed since the last write: the group epoch, the metadata and current
    /// assignment of members that changed, tombstones for members that left.
    /// </summary>
    private ErrorCode Flush()
    {
        var records = new List<(byte[] Key, byte[]? Value)>();
        if (GroupEpoch != _persistedEpoch)
        {
            records.Add((ConsumerGroupRecords.GroupKey(GroupId), ConsumerGroupRecords.GroupValue(GroupEpoch)));
        }
        foreach (string id in _gone)
        {
            records.Add((ConsumerGroupRecords.MemberKey(GroupId, id), null));
            records.Add((ConsumerGroupRecords.AssignmentKey(GroupId, id), null));
        }
        var written = new List<(ConsumerGroupMember Member, byte[] Metadata, byte[] Assignment)>();
        foreach (string id in _dirty)
        {
            if (_members.TryGetValue(id, out ConsumerGroupMember? m))
            {
                // Only what changed: a heartbeat that changes nothing writes nothing.
                byte[] metadata = ConsumerGroupRecords.MemberValue(m), assignment = ConsumerGroupRecords.AssignmentValue(m);
                if (m.PersistedMetadata is null || !metadata.AsSpan().SequenceEqual(m.PersistedMetadata))
                {
                    records.Add((ConsumerGroupRecords.MemberKey(GroupId, id), metadata));
                }
                if (m.PersistedAssignment is null || !assignment.AsSpan().SequenceEqual(m.PersistedAssignment))
                {
                    records.Add((ConsumerGroupRecords.AssignmentKey(GroupId, id), assignment));
                }
                written.Add((m, metadata, assignment));
            }
        }
        ErrorCode error = records.Count == 0 ? ErrorCode.None : _store(records);
        if (error == ErrorCode.None)
        {
            _persistedEpoch = GroupEpoch;
            _dirty.Clear();
            _gone.Clear();
            foreach (var (m, metadata, assignment) in written)
            {
                m.PersistedMetadata = metadata;
                m.PersistedAssignment = assignment;
            }
        }
        return error;
    }

    /// <summary>
    /// A group loaded from __consumer_offsets: its members with their subscriptions, epochs and
    /// current assignments. The group epoch moves one past the stored one, so the first heartbeat
    /// recomputes the target (sticky to what members own) and members carry on from their epochs;
    /// members that do not come back expire after the session timeout.
    /// </summary>
    public void Restore(int epoch, IEnumerable<ConsumerGroupMember> members)
    {
        _persistedEpoch = epoch;
        foreach (ConsumerGroupMember member in members)
        {
            member.PersistedMetadata = ConsumerGroupRecords.MemberValue(member);
            member.PersistedAssignment = ConsumerGroupRecords.AssignmentValue(member);
            _members[member.MemberId] = member;
            if (member.InstanceId is { } instance)
            {
                _staticMembers[instance] = member.MemberId;
            }
            _target[member.MemberId] = member.Assigned.ToHashSet();
            foreach (TopicIdPartition tp in member.Assigned.Concat(member.PendingRevocation))
            {
                _owners[tp] = member.MemberId;
            }
            if (member.State == MemberState.UnrevokedPartitions)
            {
                ArmRevocation(member);
            }
            ArmSession(member);
        }
        GroupEpoch = epoch + 1;
        AssignmentEpoch = 0;
    }
}
