using Rill.Broker.Config;
using Rill.Storage;

namespace Rill.Broker.Topics;

/// <summary>
/// The effective settings of one topic, resolved once when the topic is created, loaded or reconfigured: the
/// storage settings (<see cref="TopicConfig.ToLogConfig"/>) and what the front end checks on produce.
/// </summary>
internal sealed record TopicSettings(LogConfig Log, int MinInsyncReplicas, long TimestampBeforeMaxMs, long TimestampAfterMaxMs)
{
    public int MaxMessageBytes => Log.MaxMessageBytes;

    public TimestampType TimestampType => Log.MessageTimestampType;

    /// <summary>cleanup.policy includes compact: produced records need keys.</summary>
    public bool Compacted => Log.Compact;

    /// <summary>cleanup.policy includes delete: DeleteRecords is allowed.</summary>
    public bool DeletePolicy => Log.DeleteRetention;

    /// <summary>
    /// Validates <paramref name="overrides"/> (Kafka's names and value rules) and resolves the effective settings;
    /// with invalid overrides, <paramref name="error"/> names the first bad config and the settings are the broker's defaults.
    /// </summary>
    public static TopicSettings Resolve(IReadOnlyDictionary<string, string> overrides, BrokerConfig broker, out string? error)
    {
        TopicConfigValidation validation = TopicConfig.TryCreate(broker, overrides, out TopicConfig? config);
        error = validation.Message;
        if (config is null)
        {
            TopicConfig.TryCreate(broker, new Dictionary<string, string>(), out config);
        }
        return From(config!);
    }

    private static TopicSettings From(TopicConfig config)
    {
        // KIP-937: before/after.max.ms replace difference.max.ms (removed in Kafka 4.0); as in 3.6-3.9,
        // a difference set at topic or broker level still bounds a side whose own config is not set.
        bool IsSet(string name) => config.SourceOf(name) != ConfigSource.DefaultConfig;
        long Bound(string name) => (long)config.Get(
            !IsSet(name) && IsSet("message.timestamp.difference.max.ms") ? "message.timestamp.difference.max.ms" : name)!;
        return new TopicSettings(config.ToLogConfig(), (int)config.Get("min.insync.replicas")!,
            Bound("message.timestamp.before.max.ms"), Bound("message.timestamp.after.max.ms"));
    }
}
