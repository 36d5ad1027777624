namespace Rill.Coordination.Groups.Consumer;

/// <summary>One partition of a topic, named by topic id as the KIP-848 protocol names them.</summary>
public readonly record struct TopicIdPartition(Guid TopicId, int Partition);

/// <summary>A topic as the coordinator sees it when it assigns: id, name and partition count.</summary>
public sealed record TopicInfo(Guid Id, string Name, int Partitions);

/// <summary>
/// The topics the consumer-group coordinator can assign. The broker implements it over its topic
/// manager; Coordination never depends on the broker.
/// </summary>
public interface ITopicCatalog
{
    TopicInfo? Find(string name);
    TopicInfo? Find(Guid id);
    IEnumerable<TopicInfo> All();
}

/// <summary>Helpers over sets of partitions (a member's assignment).</summary>
public static class PartitionSets
{
    public static readonly IReadOnlySet<TopicIdPartition> Empty = new HashSet<TopicIdPartition>();

    /// <summary>Groups a set by topic, partitions ascending, topics in id order (stable wire output).</summary>
    public static IEnumerable<(Guid TopicId, List<int> Partitions)> ByTopic(IEnumerable<TopicIdPartition> partitions)
        => partitions.GroupBy(p => p.TopicId).OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Select(p => p.Partition).Order().ToList()));

    public static HashSet<TopicIdPartition> From(IEnumerable<(Guid TopicId, IEnumerable<int> Partitions)> topics)
        => topics.SelectMany(t => t.Partitions.Select(p => new TopicIdPartition(t.TopicId, p))).ToHashSet();

    public static bool SameAs(this IReadOnlySet<TopicIdPartition> a, IReadOnlySet<TopicIdPartition> b) => a.Count == b.Count && a.SetEquals(b);
}
