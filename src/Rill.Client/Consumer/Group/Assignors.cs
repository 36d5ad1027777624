namespace Rill.Client.Consuming;

/// <summary>Computes a group's assignment on the leader: member id -> partitions.</summary>
internal interface IAssignor
{
    string Name { get; }

    /// <summary>True for the cooperative protocol: members keep partitions across rebalances and revoke only what moves.</summary>
    bool Cooperative { get; }

    Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, Subscription> members, IReadOnlyDictionary<string, int> partitionCounts);

    public static IAssignor Create(string name) => name.Trim().ToLowerInvariant() switch
    {
        "range" => new RangeAssignor(),
        "cooperative-sticky" => new CooperativeStickyAssignor(),
        _ => throw new ArgumentException($"Unknown partition.assignment.strategy '{name}' (range, cooperative-sticky)."),
    };
}

/// <summary>Kafka's RangeAssignor: per topic, consecutive ranges of partitions to the subscribed members in member id order.</summary>
internal sealed class RangeAssignor : IAssignor
{
    public string Name => "range";
    public bool Cooperative => false;

    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, Subscription> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = members.Keys.ToDictionary(m => m, _ => new List<TopicPartition>());
        foreach (var (topic, count) in partitionCounts.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var subscribers = members.Where(m => m.Value.Topics.Contains(topic)).Select(m => m.Key).OrderBy(m => m, StringComparer.Ordinal).ToList();
            if (subscribers.Count == 0)
            {
                continue;
            }
            int each = count / subscribers.Count, extra = count % subscribers.Count, next = 0;
            for (int i = 0; i < subscribers.Count; i++)
            {
                int take = each + (i < extra ? 1 : 0);
                for (int j = 0; j < take; j++)
                {
                    result[subscribers[i]].Add(new TopicPartition(topic, next++));
                }
            }
        }
        return result;
    }
}

/// <summary>
/// Cooperative sticky: balanced counts, members keep what they own up to their share, and a
/// partition that must move is left unassigned this round (its owner revokes it and rejoins; the
/// next round gives it to its new member), as in KIP-429.
/// </summary>
internal sealed class CooperativeStickyAssignor : IAssignor
{
    public string Name => "cooperative-sticky";
    public bool Cooperative => true;

    public Dictionary<string, List<TopicPartition>> Assign(IReadOnlyDictionary<string, Subscription> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var ids = members.Keys.OrderBy(m => m, StringComparer.Ordinal).ToList();
        var result = ids.ToDictionary(m => m, _ => new List<TopicPartition>());
        var all = new List<TopicPartition>();
        foreach (var (topic, count) in partitionCounts.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (members.Values.Any(s => s.Topics.Contains(topic)))
            {
                for (int p = 0; p < count; p++)
                {
                    all.Add(new TopicPartition(topic, p));
                }
            }
        }
        if (ids.Count == 0)
        {
            return result;
        }
        int min = all.Count / ids.Count, extra = all.Count % ids.Count;
        var owner = new Dictionary<TopicPartition, string>();
        var valid = new HashSet<TopicPartition>(all);
        foreach (string id in ids)
        {
            foreach (var tp in members[id].OwnedPartitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition))
            {
                if (valid.Contains(tp) && members[id].Topics.Contains(tp.Topic) && !owner.ContainsKey(tp))
                {
                    owner[tp] = id;
                }
            }
        }
        // Keep owned partitions up to each member's share.
        var kept = new HashSet<TopicPartition>();
        foreach (string id in ids)
        {
            var mine = owner.Where(o => o.Value == id).Select(o => o.Key).OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
            int quota = min + (mine.Count > min && extra > 0 ? 1 : 0);
            if (quota > min)
            {
                extra--;
            }
            foreach (var tp in mine.Take(quota))
            {
                result[id].Add(tp);
                kept.Add(tp);
            }
        }
        // Hand out the rest to whoever has the fewest (and subscribes to the topic).
        foreach (var tp in all.Where(p => !kept.Contains(p)))
        {
            string? target = ids.Where(id => members[id].Topics.Contains(tp.Topic))
                .OrderBy(id => result[id].Count).ThenBy(id => id, StringComparer.Ordinal).FirstOrDefault();
            if (target is not null)
            {
                result[target].Add(tp);
            }
        }
        // Cooperative: a partition changing hands is withheld until its previous owner has revoked it.
        foreach (string id in ids)
        {
            result[id].RemoveAll(tp => owner.TryGetValue(tp, out string? previous) && previous != id);
        }
        return result;
    }
}
