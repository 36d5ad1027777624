using Rill.Coordination.Groups.Consumer;

namespace Rill.Broker.Topics;

/// <summary>The broker's topics as the KIP-848 assignors see them (id, name, partition count).</summary>
internal sealed class BrokerTopicCatalog(TopicManager topics) : ITopicCatalog
{
    public TopicInfo? Find(string name) => topics.Find(name) is { } t ? Info(t) : null;

    public TopicInfo? Find(Guid id) => topics.Find(id) is { } t ? Info(t) : null;

    public IEnumerable<TopicInfo> All() => topics.All.Select(Info);

    private static TopicInfo Info(Topic topic) => new(topic.Id, topic.Name, topic.Partitions.Length);
}
