namespace Rill.Cluster.Topics;

/// <summary>
/// Automatic preferred-leader balancing (auto.leader.rebalance.enable), Kafka's rule: for each broker, the
/// share of the partitions it is preferred leader of that another broker leads; above
/// leader.imbalance.per.broker.percentage, every such partition whose preferred replica is live and in the
/// ISR is handed back to it. Partitions being reassigned are left alone.
/// </summary>
public static class LeaderImbalance
{
    /// <summary>The partitions (topic, index) to move back to their preferred leader.</summary>
    public static List<(string Topic, int Partition)> ToRebalance(IEnumerable<TopicState> topics, IReadOnlySet<int> live, int percentage)
    {
        var preferredCount = new Dictionary<int, int>();
        var misplaced = new Dictionary<int, List<(string, int, PartitionState)>>();
        foreach (TopicState topic in topics)
        {
            for (int i = 0; i < topic.Partitions.Length; i++)
            {
                PartitionState p = topic.Partitions[i];
                int preferred = p.PreferredLeader;
                if (preferred < 0)
                {
                    continue;
                }
                preferredCount[preferred] = preferredCount.GetValueOrDefault(preferred) + 1;
                if (p.Leader != preferred)
                {
                    if (!misplaced.TryGetValue(preferred, out var list))
                    {
                        misplaced[preferred] = list = [];
                    }
                    list.Add((topic.Name, i, p));
                }
            }
        }
        var result = new List<(string, int)>();
        foreach (var (broker, list) in misplaced)
        {
            if (!live.Contains(broker) || list.Count * 100.0 / preferredCount[broker] <= percentage)
            {
                continue;
            }
            foreach (var (topic, index, p) in list)
            {
                if (!p.IsReassigning && p.InIsr(broker))
                {
                    result.Add((topic, index));
                }
            }
        }
        return result;
    }
}
