using System.Globalization;
using Rill.Protocol;
using Rill.Storage;

namespace Rill.Broker.Config;

/// <summary>The outcome of validating topic config overrides: <see cref="ErrorCode.None"/> or INVALID_CONFIG with a message naming the config.</summary>
public readonly record struct TopicConfigValidation(ErrorCode Error, string? Message)
{
    public bool IsValid => Error == ErrorCode.None;
}

/// <summary>
/// A topic's effective configuration, parsed once: its overrides (Kafka topic-level names) on top of the broker's
/// defaults, resolved the way Kafka resolves them (retention.ms from log.retention.ms/minutes/hours, segment.ms
/// from log.roll.ms/hours, ...). The one path from configs to storage is <see cref="ToLogConfig"/>, driven by the
/// catalogue (<see cref="KafkaTopicConfigs"/>): each entry names the <see cref="LogConfig"/> field it feeds.
/// </summary>
public sealed class TopicConfig
{
    private readonly Dictionary<string, (object? Value, ConfigSource Source)> _values = new(StringComparer.Ordinal);

    private TopicConfig(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides, bool checkBrokerValues)
    {
        Overrides = new Dictionary<string, string>(overrides, StringComparer.Ordinal);
        foreach (TopicConfigDef t in KafkaTopicConfigs.All)
        {
            (string? raw, ConfigSource source) = Effective(t, overrides, broker);
            // Overrides were validated; a value from the broker is checked against the topic config's own range
            // only when asked (a dynamic broker change), as a running topic keeps a value its broker started with.
            object? value = source == ConfigSource.DynamicTopicConfig || checkBrokerValues ? t.Def.Parse(raw) : t.Def.ParseTypeOnly(raw);
            _values[t.Name] = (value, source);
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

        config = new TopicConfig(broker, overrides, checkBrokerValues: false);
        return v;
    }

    /// <summary>
    /// Like <see cref="TryCreate"/> but throws <see cref="ConfigException"/> on invalid overrides, and on a broker
    /// value outside the range of the topic config it supplies (flush.ms &gt;= 0, ...).
    /// </summary>
    public static TopicConfig Create(BrokerConfig broker, IReadOnlyDictionary<string, string>? overrides = null)
    {
        overrides ??= new Dictionary<string, string>();
        TopicConfigValidation v = Validate(overrides.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)));
        return v.IsValid ? new TopicConfig(broker, overrides, checkBrokerValues: true) : throw new ConfigException("topic config", v.Message!);
    }

    /// <summary>The topic's own overrides, as given.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; }

    /// <summary>The parsed effective value of a topic config (bool, int, long, double, string or list).</summary>
    public object? Get(string name) => Find(name).Value;

    /// <summary>Where the effective value of a topic config comes from (the topic, the broker's properties or Kafka's default).</summary>
    public ConfigSource SourceOf(string name) => Find(name).Source;

    /// <summary>The storage settings: every catalogue entry that feeds a <see cref="LogConfig"/> field, applied in order.</summary>
    public LogConfig ToLogConfig()
    {
        LogConfig log = LogConfig.Default;
        foreach (TopicConfigDef t in KafkaTopicConfigs.All)
        {
            if (t.FeedsLog is not null && _values[t.Name].Value is { } value)
            {
                log = t.FeedsLog(log, value);
            }
        }
        return log;
    }

    private (object? Value, ConfigSource Source) Find(string name) =>
        _values.TryGetValue(name, out var v) ? v : throw new ConfigException(name, $"Unknown topic config '{name}'");

    /// <summary>The effective string value of one topic config and its source.</summary>
    internal static (string? Raw, ConfigSource Source) Effective(string name, IReadOnlyDictionary<string, string> overrides, BrokerConfig broker) =>
        Effective(KafkaTopicConfigs.Find(name) ?? throw new ConfigException(name, $"Unknown topic config '{name}'"), overrides, broker);

    private static (string? Raw, ConfigSource Source) Effective(TopicConfigDef t, IReadOnlyDictionary<string, string> overrides, BrokerConfig broker) =>
        overrides.TryGetValue(t.Name, out string? o)
            ? (t.Def.IsSensitive ? o : o.Trim(), ConfigSource.DynamicTopicConfig)
            : FromBroker(broker, t);

    private static (string? Raw, ConfigSource Source) FromBroker(BrokerConfig broker, TopicConfigDef t)
    {
        if (t.BrokerSynonym is null)
        {
            return (t.Def.Default, ConfigSource.DefaultConfig);
        }

        // A synonym group (log.retention.ms / minutes / hours, ...) supplies the value BrokerConfig derives from it.
        string? raw = t.BrokerSynonym switch
        {
            "log.retention.ms" => Str(broker.LogRetentionMs),
            "log.roll.ms" => Str(broker.LogRollMs),
            "log.roll.jitter.ms" => Str(broker.LogRollJitterMs),
            "log.flush.interval.ms" => Str(broker.LogFlushIntervalMs),
            _ => broker.GetString(t.BrokerSynonym),
        };
        IReadOnlyList<string> brokerNames = DynamicBrokerConfigs.SynonymsFrom(t.BrokerSynonym);
        bool set = brokerNames.Any(broker.IsSet);
        return (raw ?? t.Def.Default, set ? ConfigSource.StaticBrokerConfig : ConfigSource.DefaultConfig);
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
