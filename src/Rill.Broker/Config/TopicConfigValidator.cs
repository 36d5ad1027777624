using Rill.Broker.Topics;

namespace Rill.Broker.Config;

/// <summary>The string-level view of <see cref="TopicConfig"/> that the topic manager and DescribeConfigs use.</summary>
internal static class TopicConfigValidator
{
    /// <summary>Every current topic config name (Kafka 4.0), sorted.</summary>
    public static IEnumerable<string> Names =>
        KafkaTopicConfigs.All.Where(t => !t.Def.Removed).Select(t => t.Name).Order(StringComparer.Ordinal);

    /// <summary>Returns a message naming the first unknown or invalid config (INVALID_CONFIG), or null when all are valid.</summary>
    public static string? Validate(IReadOnlyDictionary<string, string> overrides) =>
        TopicConfig.Validate(overrides.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value))).Message;

    /// <summary>The effective value of a topic config and where it comes from.</summary>
    public static (string? Value, ConfigSource Source) Effective(string name, IReadOnlyDictionary<string, string> overrides, BrokerConfig broker)
    {
        (string? raw, TopicConfigSource source) = TopicConfig.Effective(name, overrides, broker);
        return (raw, (ConfigSource)(sbyte)source);
    }
}
