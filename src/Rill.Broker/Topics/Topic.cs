namespace Rill.Broker.Topics;

/// <summary>
/// A topic: its id, partitions, config overrides and the effective settings derived from them.
/// Overrides and settings change together (AlterConfigs, a dynamic broker default); readers see
/// one consistent pair through <see cref="State"/>.
/// </summary>
internal sealed class Topic
{
    private volatile ConfigState _state;

    public Topic(string name, Guid id, Dictionary<string, string> overrides, TopicSettings config)
    {
        Name = name;
        Id = id;
        _state = new ConfigState(overrides, config);
        Partitions = [];
    }

    public string Name { get; }
    public Guid Id { get; }

    /// <summary>Topic-level config overrides (Kafka names, string values); never mutated, replaced on change.</summary>
    public IReadOnlyDictionary<string, string> Overrides => _state.Overrides;

    /// <summary>The effective settings; a produce reads them afresh, so a change applies to the next one.</summary>
    public TopicSettings Config => _state.Settings;

    /// <summary>Overrides and settings as one snapshot.</summary>
    public ConfigState State => _state;

    public Partition[] Partitions { get; internal set; }

    public Partition? GetPartition(int index)
        => (uint)index < (uint)Partitions.Length ? Partitions[index] : null;

    /// <summary>Replaces the overrides and settings; the caller updates the partition logs.</summary>
    internal void Reconfigure(Dictionary<string, string> overrides, TopicSettings settings)
        => _state = new ConfigState(overrides, settings);

    public TopicRecord ToRecord() => new(Name, Id, Partitions.Length, new Dictionary<string, string>(Overrides, StringComparer.Ordinal));

    internal sealed record ConfigState(IReadOnlyDictionary<string, string> Overrides, TopicSettings Settings);
}
