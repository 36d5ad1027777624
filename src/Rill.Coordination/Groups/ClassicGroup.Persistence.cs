using Rill.Protocol;
using Rill.Protocol.Data;

namespace Rill.Coordination.Groups;

internal sealed partial class ClassicGroup
{
    /// <summary>The group as Kafka persists it: members with the chosen protocol's subscription and their assignments.</summary>
    public GroupSnapshot ToSnapshot() => new(ProtocolType ?? "", GenerationId, ProtocolName, LeaderId, StateTimestampMs,
        _members.Values.Select(m => new MemberSnapshot(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
            m.RebalanceTimeoutMs, m.SessionTimeoutMs,
            ProtocolName is null ? ReadOnlyMemory<byte>.Empty : m.MetadataFor(ProtocolName), m.Assignment)).ToList());

    /// <summary>
    /// Resumes a group loaded from __consumer_offsets: Stable with its members, generation and
    /// assignments (Empty when it had none). Every member's session timer starts afresh, so
    /// members that are gone expire and the rest carry on without rejoining.
    /// </summary>
    public void Restore(GroupSnapshot snapshot)
    {
        ProtocolType = snapshot.ProtocolType.Length == 0 ? null : snapshot.ProtocolType;
        GenerationId = snapshot.Generation;
        ProtocolName = snapshot.Protocol;
        foreach (MemberSnapshot m in snapshot.Members)
        {
            var member = new GroupMember
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                ClientId = m.ClientId,
                ClientHost = m.ClientHost,
                SessionTimeoutMs = m.SessionTimeoutMs,
                RebalanceTimeoutMs = m.RebalanceTimeoutMs,
                ProtocolType = snapshot.ProtocolType,
                Protocols = snapshot.Protocol is null ? [] : [new JoinProtocol(snapshot.Protocol, m.Subscription)],
                Assignment = m.Assignment,
            };
            _members[m.MemberId] = member;
            if (m.GroupInstanceId is { } instance)
            {
                _staticMembers[instance] = m.MemberId;
            }
            ArmSession(member);
        }
        LeaderId = snapshot.Leader is { } leader && _members.ContainsKey(leader) ? leader : _members.Keys.FirstOrDefault();
        State = _members.Count > 0 ? GroupState.Stable : GroupState.Empty;
        if (snapshot.CurrentStateTimestamp >= 0)
        {
            StateTimestampMs = snapshot.CurrentStateTimestamp;
        }
    }

    /// <summary>
    /// Topics the members subscribe to, from the consumer protocol's subscriptions (null when
    /// the group does not use the consumer protocol, or a subscription cannot be read).
    /// </summary>
    public IReadOnlySet<string>? SubscribedTopics()
    {
        if (ProtocolType != "consumer" || ProtocolName is null)
        {
            return null;
        }
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (GroupMember m in _members.Values)
        {
            try
            {
                // Kafka reads only the version-0 prefix here (the topics), whatever version was sent.
                var reader = new ProtocolReader(m.MetadataFor(ProtocolName));
                reader.ReadInt16();
                var subscription = new ConsumerProtocolSubscription();
                subscription.Read(ref reader, 0);
                topics.UnionWith(subscription.Topics);
            }
            catch (ProtocolException)
            {
                return null;
            }
        }
        return topics;
    }
}
