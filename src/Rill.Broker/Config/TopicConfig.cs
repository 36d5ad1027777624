using System.Globalization;
using Rill.Protocol;
using Rill.Storage;

namespace Rill.Broker.Config;

/// <summary>Where a topic config's effective value comes from (DescribeConfigs ConfigSource wire values).</summary>
public enum TopicConfigSource : sbyte
{
    TopicOverride = 1, // DYNAMIC_TOPIC_CONFIG
    StaticBroker = 4, // STATIC_BROKER_CONFIG
    Default = 5, // DEFAULT_CONFIG
}

/// <summary>One effective topic config as DescribeConfigs shows it (sensitive values null).</summary>
public sealed record TopicConfigEntry(string Name, string? Value, TopicConfigSource Source, bool IsSensitive, string? BrokerSynonym);

/// <summary>The outcome of validating topic config overrides: <see cref="ErrorCode.None"/> or INVALID_CONFIG with a message naming the config.</summary>
public readonly record struct TopicConfigValidation(ErrorCode Error, string? Message)
{
    public bool IsValid => Error == ErrorCode.None;
}

/// <summary>
/// A topic's effective configuration: its overrides (Kafka topic-level names) on top of the broker's
/// defaults, resolved the way Kafka resolves them (retention.ms from log.retention.ms/minutes/hours,
/// segment.ms from log.roll.ms/hours, ...).
/// </summary>
public sealed class TopicConfig
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? Raw, TopicConfigSource Source)> _raw = new(StringComparer.Ordinal);

    private TopicConfig(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides)
    {
        Overrides = new Dictionary<string, string>(overrides, StringComparer.Ordinal);
        foreach (TopicConfigDef t in KafkaTopicConfigs.All)
        {
            (string? raw, TopicConfigSource source) = Effective(t, overrides, broker);
            _raw[t.Name] = (raw, source);
            _values[t.Name] = t.Def.Parse(raw);
        }
    }

    /// <summary>
    /// Checks names and values with Kafka's semantics: an unknown name, a null value or a value that
    /// does not parse or is out of range gives INVALID_CONFIG and a message naming the config.
    /// </summary>
    public static TopicConfigValidation Validate(IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        foreach ((string name, string? value) in overrides)
        {
            TopicConfigDef? def = KafkaTopicConfigs.Find(name);
            if (def is null)
            {
                return new(ErrorCode.InvalidConfig, NameSuggester.UnknownMessage("topic config", name, KafkaTopicConfigs.All.Select(d => d.Name)));
            }

            if (value is null)
            {
                return new(ErrorCode.InvalidConfig, $"Null value not supported for topic config '{name}'");
            }

            try
            {
                def.Def.Parse(value);
            }
            catch (ConfigException e)
            {
                return new(ErrorCode.InvalidConfig, e.Message);
            }
        }

        return new(ErrorCode.None, null);
    }

    /// <summary>Validates <paramref name="overrides"/> and resolves them against <paramref name="broker"/>.</summary>
    public static TopicConfigValidation TryCreate(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides, out TopicConfig? config)
    {
        config = null;
        TopicConfigValidation v = Validate(overrides.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)));
        if (!v.IsValid)
        {
            return v;
        }

        config = new TopicConfig(broker, overrides);
        return v;
    }

    /// <summary>Like <see cref="TryCreate"/> but throws <see cref="ConfigException"/> on invalid overrides.</summary>
    public static TopicConfig Create(BrokerConfig broker, IReadOnlyDictionary<string, string>? overrides = null)
    {
        TopicConfigValidation v = TryCreate(broker, overrides ?? new Dictionary<string, string>(), out TopicConfig? config);
        return config ?? throw new ConfigException("topic config", v.Message!);
    }

    /// <summary>The topic's own overrides, as given.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    /// <summary>The parsed effective value of a topic config (bool, int, long, double, string or list).</summary>
    public object? Get(string name) => _values.TryGetValue(name, out object? v) ? v : throw new ConfigException(name, $"Unknown topic config '{name}'");

    /// <summary>Every topic config with its effective value and source, in catalogue order (removed names left out).</summary>
    public IEnumerable<TopicConfigEntry> Describe() =>
        KafkaTopicConfigs.All
            .Where(t => !t.Def.Removed)
            .Select(t => new TopicConfigEntry(t.Name, t.Def.IsSensitive ? null : _raw[t.Name].Raw, _raw[t.Name].Source, t.Def.IsSensitive, t.BrokerSynonym));

    public IReadOnlyList<string> CleanupPolicy => (IReadOnlyList<string>)_values["cleanup.policy"]!;

    public bool Compact => CleanupPolicy.Contains("compact");

    public bool Delete => CleanupPolicy.Contains("delete");

    public string CompressionType => (string)_values["compression.type"]!;

    public long DeleteRetentionMs => (long)_values["delete.retention.ms"]!;

    public long FileDeleteDelayMs => (long)_values["file.delete.delay.ms"]!;

    public long FlushMessages => (long)_values["flush.messages"]!;

    public long FlushMs => (long)_values["flush.ms"]!;

    public int IndexIntervalBytes => (int)_values["index.interval.bytes"]!;

    public long MaxCompactionLagMs => (long)_values["max.compaction.lag.ms"]!;

    public int MaxMessageBytes => (int)_values["max.message.bytes"]!;

    public long MessageTimestampAfterMaxMs => (long)_values["message.timestamp.after.max.ms"]!;

    public long MessageTimestampBeforeMaxMs => (long)_values["message.timestamp.before.max.ms"]!;

    public TimestampType MessageTimestampType =>
        (string)_values["message.timestamp.type"]! == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    public double MinCleanableDirtyRatio => (double)_values["min.cleanable.dirty.ratio"]!;

    public long MinCompactionLagMs => (long)_values["min.compaction.lag.ms"]!;

    public int MinInsyncReplicas => (int)_values["min.insync.replicas"]!;

    public bool Preallocate => (bool)_values["preallocate"]!;

    public long RetentionBytes => (long)_values["retention.bytes"]!;

    /// <summary>-1: no time limit.</summary>
    public long RetentionMs => (long)_values["retention.ms"]!;

    public int SegmentBytes => (int)_values["segment.bytes"]!;

    public int SegmentIndexBytes => (int)_values["segment.index.bytes"]!;

    public long SegmentJitterMs => (long)_values["segment.jitter.ms"]!;

    public long SegmentMs => (long)_values["segment.ms"]!;

    /// <summary>The effective string value of one topic config and its source.</summary>
    internal static (string? Raw, TopicConfigSource Source) Effective(string name, IReadOnlyDictionary<string, string> overrides, BrokerConfig broker) =>
        Effective(KafkaTopicConfigs.Find(name) ?? throw new ConfigException(name, $"Unknown topic config '{name}'"), overrides, broker);

    private static (string? Raw, TopicConfigSource Source) Effective(TopicConfigDef t, IReadOnlyDictionary<string, string> overrides, BrokerConfig broker) =>
        overrides.TryGetValue(t.Name, out string? o)
            ? (t.Def.IsSensitive ? o : o.Trim(), TopicConfigSource.TopicOverride)
            : FromBroker(broker, t);

    private static (string? Raw, TopicConfigSource Source) FromBroker(BrokerConfig broker, TopicConfigDef t)
    {
        if (t.BrokerSynonym is null)
        {
            return (t.Def.Default, TopicConfigSource.Default);
        }

        (string? raw, string[] brokerNames) = t.Name switch
        {
            "retention.ms" => (Str(broker.LogRetentionMs), new[] { "log.retention.ms", "log.retention.minutes", "log.retention.hours" }),
            "segment.ms" => (Str(broker.LogRollMs), ["log.roll.ms", "log.roll.hours"]),
            "segment.jitter.ms" => (Str(broker.LogRollJitterMs), ["log.roll.jitter.ms", "log.roll.jitter.hours"]),
            "flush.ms" => (Str(broker.LogFlushIntervalMs), ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"]),
            _ => (broker.GetString(t.BrokerSynonym), [t.BrokerSynonym]),
        };
        bool set = brokerNames.Any(broker.IsSet);
        return (raw ?? t.Def.Default, set ? TopicConfigSource.StaticBroker : TopicConfigSource.Default);
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
