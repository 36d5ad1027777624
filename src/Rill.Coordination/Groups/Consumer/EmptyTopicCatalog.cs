namespace Rill.Coordination.Groups.Consumer;

/// <summary>A catalog without topics (a coordinator used without a broker, in tests).</summary>
internal sealed class EmptyTopicCatalog : ITopicCatalog
{
    public static readonly EmptyTopicCatalog Instance = new();

    public TopicInfo? Find(string name) => null;
    public TopicInfo? Find(Guid id) => null;
    public IEnumerable<TopicInfo> All() => [];
}
