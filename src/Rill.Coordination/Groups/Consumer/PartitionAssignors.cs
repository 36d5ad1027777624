namespace Rill.Coordination.Groups.Consumer;

/// <summary>What a server-side assignor sees: members with the topics they subscribe to, and the current target.</summary>
public sealed record AssignmentMember(string MemberId, string? RackId, IReadOnlyList<TopicInfo> Topics, IReadOnlySet<TopicIdPartition> Current);

/// <summary>A server-side assignor of KIP-848 (group.consumer.assignors).</summary>
public interface IPartitionAssignor
{
    string Name { get; }

    /// <summary>The new target assignment: every partition of every subscribed topic to exactly one subscribed member.</summary>
    Dictionary<string, HashSet<TopicIdPartition>> Assign(IReadOnlyList<AssignmentMember> members);
}

public static class PartitionAssignors
{
    public static readonly IReadOnlyList<IPartitionAssignor> All = [new UniformAssignor(), new RangeAssignor()];

    public static IPartitionAssignor? Find(string name) => All.FirstOrDefault(a => a.Name == name);
}

/// <summary>
/// Kafka's "uniform" assignor: spreads partitions as evenly as the subscriptions allow and keeps
/// each partition where it is whenever that does not unbalance the group, so a rebalance moves
/// as few partitions as it can.
/// </summary>
public sealed class UniformAssignor : IPartitionAssignor
{
    public string Name => "uniform";

    public Dictionary<string, HashSet<TopicIdPartition>> Assign(IReadOnlyList<AssignmentMember> members)
    {
        var result = members.ToDictionary(m => m.MemberId, _ => new HashSet<TopicIdPartition>(), StringComparer.Ordinal);
        if (members.Count == 0)
        {
            return result;
        }
        var topics = members.SelectMany(m => m.Topics).DistinctBy(t => t.Id).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var eligible = topics.ToDictionary(t => t.Id,
            t => members.Where(m => m.Topics.Any(x => x.Id == t.Id)).Select(m => m.MemberId).Order(StringComparer.Ordinal).ToList());
        var all = topics.SelectMany(t => Enumerable.Range(0, t.Partitions).Select(p => new TopicIdPartition(t.Id, p))).ToList();

        // Fair share when every member could take every partition; heterogeneous subscriptions
        // are evened out by the moves at the end.
        int quota = (all.Count + members.Count - 1) / members.Count;

        // Sticky pass: a partition stays with its current owner while that owner is under quota.
        var unassigned = new List<TopicIdPartition>();
        var owner = new Dictionary<TopicIdPartition, string>();
        foreach (AssignmentMember m in members)
        {
            foreach (TopicIdPartition tp in m.Current.OrderBy(p => p.TopicId).ThenBy(p => p.Partition))
            {
                if (eligible.TryGetValue(tp.TopicId, out var candidates) && candidates.Contains(m.MemberId)
                    && tp.Partition < topics.First(t => t.Id == tp.TopicId).Partitions
                    && !owner.ContainsKey(tp) && result[m.MemberId].Count < quota)
                {
                    result[m.MemberId].Add(tp);
                    owner[tp] = m.MemberId;
                }
            }
        }
        unassigned.AddRange(all.Where(tp => !owner.ContainsKey(tp)));

        // The rest go to the least loaded eligible member.
        foreach (TopicIdPartition tp in unassigned)
        {
            string to = eligible[tp.TopicId].MinBy(id => (result[id].Count, id), Comparer<(int, string)>.Create(CompareLoad))!;
            result[to].Add(tp);
            owner[tp] = to;
        }

        // Even out: move a partition from a member to an eligible one holding at least two fewer.
        for (int moves = 0; moves < all.Count * members.Count; moves++)
        {
            bool moved = false;
            foreach (TopicIdPartition tp in all)
            {
                string from = owner[tp];
                string? to = eligible[tp.TopicId].Where(id => result[id].Count < result[from].Count - 1)
                    .OrderBy(id => result[id].Count).ThenBy(id => id, StringComparer.Ordinal).FirstOrDefault();
                if (to is not null)
                {
                    result[from].Remove(tp);
                    result[to].Add(tp);
                    owner[tp] = to;
                    moved = true;
                }
            }
            if (!moved)
            {
                break;
            }
        }
        return result;
    }

    private static int CompareLoad((int Count, string Id) a, (int Count, string Id) b)
        => a.Count != b.Count ? a.Count.CompareTo(b.Count) : string.CompareOrdinal(a.Id, b.Id);
}

/// <summary>
/// Kafka's "range" assignor: per topic, the subscribed members in member-id order each take a
/// contiguous range of partitions, the first ones one extra when the count does not divide.
/// </summary>
public sealed class RangeAssignor : IPartitionAssignor
{
    public string Name => "range";

    public Dictionary<string, HashSet<TopicIdPartition>> Assign(IReadOnlyList<AssignmentMember> members)
    {
        var result = members.ToDictionary(m => m.MemberId, _ => new HashSet<TopicIdPartition>(), StringComparer.Ordinal);
        foreach (TopicInfo topic in members.SelectMany(m => m.Topics).DistinctBy(t => t.Id))
        {
            var subscribed = members.Where(m => m.Topics.Any(t => t.Id == topic.Id)).Select(m => m.MemberId).Order(StringComparer.Ordinal).ToList();
            int each = topic.Partitions / subscribed.Count, extra = topic.Partitions % subscribed.Count, next = 0;
            for (int i = 0; i < subscribed.Count; i++)
            {
                int take = each + (i < extra ? 1 : 0);
                for (int p = next; p < next + take; p++)
                {
                    result[subscribed[i]].Add(new TopicIdPartition(topic.Id, p));
                }
                next += take;
            }
        }
        return result;
    }
}
