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

/// <summary>
/// The effective settings of one topic: its overrides over the broker defaults, resolved once
/// when the topic is created or loaded, in the typed form the front end and the log use.
/// </summary>
internal sealed record TopicSettings(LogConfig Log, bool Compacted, bool DeletePolicy, int MinInsyncReplicas,
    long TimestampBeforeMaxMs, long TimestampAfterMaxMs)
{
    public int MaxMessageBytes => Log.MaxMessageBytes;

    public TimestampType TimestampType => Log.MessageTimestampType;

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
            DeleteRetention = Get("cleanup.policy").Split(',', StringSplitOptions.TrimEntries).Contains("delete"),
            Compact = Get("cleanup.policy").Split(',', StringSplitOptions.TrimEntries).Contains("compact"),
            DeleteRetentionMs = GetLong("delete.retention.ms"),
            FileDeleteDelayMs = GetLong("file.delete.delay.ms"),
            MinCleanableDirtyRatio = double.Parse(Get("min.cleanable.dirty.ratio"), CultureInfo.InvariantCulture),
            MinCompactionLagMs = GetLong("min.compaction.lag.ms"),
            MaxCompactionLagMs = GetLong("max.compaction.lag.ms"),
        };
        string[] policy = Get("cleanup.policy").Split(',', StringSplitOptions.TrimEntries);

        // KIP-937: before/after.max.ms replace difference.max.ms (removed in Kafka 4.0); as in 3.6-3.9,
        // a difference set at topic or broker level still bounds a side whose own config is not set.
        bool IsSet(string name) => TopicConfigValidator.Effective(name, valid, broker).Source != ConfigSource.DefaultConfig;
        long Bound(string name) =>
            !IsSet(name) && IsSet("message.timestamp.difference.max.ms") ? GetLong("message.timestamp.difference.max.ms") : GetLong(name);
        return new TopicSettings(log, policy.Contains("compact"), policy.Contains("delete"), (int)GetLong("min.insync.replicas"),
            Bound("message.timestamp.before.max.ms"), Bound("message.timestamp.after.max.ms"));
    }
}
