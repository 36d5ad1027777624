using System.Globalization;
using Rill.Broker.Config;
using Rill.Storage;

namespace Rill.Broker.Topics;

/// <summary>Kafka's DescribeConfigs config sources (wire values).</summary>
internal enum ConfigSource : sbyte
{
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
}

/// <summary>One effective topic config value and where it came from.</summary>
internal readonly record struct TopicConfigEntry(string Name, string? Value, ConfigSource Source, bool ReadOnly, bool Sensitive);

/// <summary>
/// The effective settings of one topic: its overrides over the broker defaults, resolved once
/// when the topic is created or loaded, in the typed form the front end and the log use.
/// </summary>
internal sealed record TopicSettings(LogConfig Log, bool Compacted, int MinInsyncReplicas)
{
    public int MaxMessageBytes => Log.MaxMessageBytes;

    /// <summary>Validates <paramref name="overrides"/> (Kafka's names and value rules) and resolves the effective settings.</summary>
    public static TopicSettings Resolve(IReadOnlyDictionary<string, string> overrides, BrokerConfig broker, out string? error)
    {
        error = TopicConfigValidator.Validate(overrides);
        IReadOnlyDictionary<string, string> valid = error is null ? overrides : new Dictionary<string, string>();
        string Get(string name) => TopicConfigValidator.Effective(name, valid, broker).Value!;
        long GetLong(string name) => long.Parse(Get(name), CultureInfo.InvariantCulture);

        var log = new LogConfig
        {
            SegmentBytes = (int)GetLong("segment.bytes"),
            SegmentMs = GetLong("segment.ms"),
            IndexIntervalBytes = (int)GetLong("index.interval.bytes"),
            SegmentIndexBytes = (int)GetLong("segment.index.bytes"),
            FlushIntervalMessages = GetLong("flush.messages"),
            FlushIntervalMs = GetLong("flush.ms"),
            MaxMessageBytes = (int)GetLong("max.message.bytes"),
            MessageTimestampType = Get("message.timestamp.type") == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime,
            RetentionMs = GetLong("retention.ms"),
            RetentionBytes = GetLong("retention.bytes"),
        };
        bool compacted = Get("cleanup.policy").Split(',').Any(p => p.Trim() == "compact");
        return new TopicSettings(log, compacted, (int)GetLong("min.insync.replicas"));
    }

    /// <summary>Every topic config with its effective value and source, as CreateTopics v5+ and DescribeConfigs report them.</summary>
    public IReadOnlyList<TopicConfigEntry> Describe(IReadOnlyDictionary<string, string> overrides, BrokerConfig broker)
    {
        var entries = new List<TopicConfigEntry>();
        foreach (string name in TopicConfigValidator.Names)
        {
            var (value, source) = TopicConfigValidator.Effective(name, overrides, broker);
            entries.Add(new TopicConfigEntry(name, value, source, ReadOnly: false, Sensitive: false));
        }
        return entries;
    }
}
