namespace Rill.Broker.Topics;

/// <summary>A topic: its id, partitions, config overrides and the effective settings derived from them.</summary>
internal sealed class Topic
{
    public Topic(string name, Guid id, Dictionary<string, string> overrides, TopicSettings config)
    {
        Name = name;
        Id = id;
        Overrides = overrides;
        Config = config;
        Partitions = [];
    }

    public string Name { get; }
    public Guid Id { get; }

    /// <summary>Topic-level config overrides as set by CreateTopics (Kafka names, string values).</summary>
    public Dictionary<string, string> Overrides { get; }

    public TopicSettings Config { get; }

    public Partition[] Partitions { get; internal set; }

    public Partition? GetPartition(int index)
        => (uint)index < (uint)Partitions.Length ? Partitions[index] : null;

    public TopicRecord ToRecord() => new(Name, Id, Partitions.Length, new Dictionary<string, string>(Overrides, StringComparer.Ordinal));
}
