using System.Globalization;
using Rill.Broker.Topics;

namespace Rill.Broker.Config;

/// <summary>
/// Kafka's topic-level configs: names, types, checks, and the broker property each one defaults
/// from (retention.ms from log.retention.ms/minutes/hours, segment.bytes from log.segment.bytes, ...).
/// </summary>
internal static class TopicConfigValidator
{
    private sealed record TopicConfigDef(ConfigDef Def, string? BrokerSynonym, Func<BrokerConfig, string?>? BrokerDefault = null);

    private const ConfigType B = ConfigType.Boolean, I = ConfigType.Int, L = ConfigType.Long, D = ConfigType.Double, Str = ConfigType.String, Lst = ConfigType.List;

    private static readonly Dictionary<string, TopicConfigDef> Defs = Build().ToDictionary(d => d.Def.Name, StringComparer.Ordinal);

    public static IEnumerable<string> Names => Defs.Keys.Order(StringComparer.Ordinal);

    private static TopicConfigDef T(string name, ConfigType type, string? value, string? broker, Func<string, string?>? check = null,
        Func<BrokerConfig, string?>? brokerDefault = null)
        => new(new ConfigDef(name, type, value, true, check), broker, brokerDefault);

    private static IEnumerable<TopicConfigDef> Build()
    {
        string Max = long.MaxValue.ToString(CultureInfo.InvariantCulture);
        yield return T("cleanup.policy", Lst, "delete", "log.cleanup.policy", Rules.ListOf("delete", "compact"));
        yield return T("compression.type", Str, "producer", "compression.type", Rules.OneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"));
        yield return T("compression.gzip.level", I, "-1", "compression.gzip.level");
        yield return T("compression.lz4.level", I, "9", "compression.lz4.level");
        yield return T("compression.zstd.level", I, "3", "compression.zstd.level");
        yield return T("delete.retention.ms", L, "86400000", "log.cleaner.delete.retention.ms", Rules.AtLeast(0));
        yield return T("file.delete.delay.ms", L, "60000", "log.segment.delete.delay.ms", Rules.AtLeast(0));
        yield return T("flush.messages", L, Max, "log.flush.interval.messages", Rules.AtLeast(1));
        yield return T("flush.ms", L, Max, "log.flush.interval.ms", Rules.AtLeast(0), b => b.LogFlushIntervalMs.ToString(CultureInfo.InvariantCulture));
        yield return T("follower.replication.throttled.replicas", Lst, "", null);
        yield return T("index.interval.bytes", I, "4096", "log.index.interval.bytes", Rules.AtLeast(0));
        yield return T("leader.replication.throttled.replicas", Lst, "", null);
        yield return T("local.retention.bytes", L, "-2", "log.local.retention.bytes", Rules.AtLeast(-2));
        yield return T("local.retention.ms", L, "-2", "log.local.retention.ms", Rules.AtLeast(-2));
        yield return T("max.compaction.lag.ms", L, Max, "log.cleaner.max.compaction.lag.ms", Rules.AtLeast(1));
        yield return T("max.message.bytes", I, "1048588", "message.max.bytes", Rules.AtLeast(0));
        yield return T("message.timestamp.after.max.ms", L, "3600000", "log.message.timestamp.after.max.ms", Rules.AtLeast(0));
        yield return T("message.timestamp.before.max.ms", L, Max, "log.message.timestamp.before.max.ms", Rules.AtLeast(0));
        yield return T("message.timestamp.type", Str, "CreateTime", "log.message.timestamp.type", Rules.OneOf("CreateTime", "LogAppendTime"));
        yield return T("min.cleanable.dirty.ratio", D, "0.5", "log.cleaner.min.cleanable.ratio", Rules.Between(0, 1));
        yield return T("min.compaction.lag.ms", L, "0", "log.cleaner.min.compaction.lag.ms", Rules.AtLeast(0));
        yield return T("min.insync.replicas", I, "1", "min.insync.replicas", Rules.AtLeast(1));
        yield return T("preallocate", B, "false", "log.preallocate");
        yield return T("remote.log.copy.disable", B, "false", null);
        yield return T("remote.log.delete.on.disable", B, "false", null);
        yield return T("remote.storage.enable", B, "false", null);
        yield return T("retention.bytes", L, "-1", "log.retention.bytes");
        yield return T("retention.ms", L, "604800000", "log.retention.ms", Rules.AtLeast(-1), b => b.LogRetentionMs.ToString(CultureInfo.InvariantCulture));
        yield return T("segment.bytes", I, "1073741824", "log.segment.bytes", Rules.AtLeast(14));
        yield return T("segment.index.bytes", I, "10485760", "log.index.size.max.bytes", Rules.AtLeast(4));
        yield return T("segment.jitter.ms", L, "0", "log.roll.jitter.ms", Rules.AtLeast(0));
        yield return T("segment.ms", L, "604800000", "log.roll.ms", Rules.AtLeast(1), b => b.LogRollMs.ToString(CultureInfo.InvariantCulture));
        yield return T("unclean.leader.election.enable", B, "false", "unclean.leader.election.enable");
    }

    /// <summary>Returns an error naming the first unknown or invalid config, or null when all are valid.</summary>
    public static string? Validate(IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var (name, value) in overrides)
        {
            if (!Defs.TryGetValue(name, out TopicConfigDef? def))
            {
                string? suggestion = ClosestName.Find(name, Defs.Keys);
                return $"Unknown topic config name: {name}" + (suggestion is null ? "" : $" (did you mean '{suggestion}'?)");
            }
            if (def.Def.Validate(value) is { } problem)
            {
                return $"Invalid value {value} for configuration {name}: {problem}";
            }
        }
        return null;
    }

    /// <summary>The effective value of a topic config and where it comes from.</summary>
    public static (string? Value, ConfigSource Source) Effective(string name, IReadOnlyDictionary<string, string> overrides, BrokerConfig broker)
    {
        TopicConfigDef def = Defs[name];
        if (overrides.TryGetValue(name, out string? value))
        {
            return (value, ConfigSource.DynamicTopicConfig);
        }
        if (def.BrokerSynonym is { } synonym && BrokerConfigCatalog.All.ContainsKey(synonym))
        {
            bool set = broker.IsSet(synonym) || synonym == "log.retention.ms" && (broker.IsSet("log.retention.minutes") || broker.IsSet("log.retention.hours"))
                || synonym == "log.roll.ms" && broker.IsSet("log.roll.hours");
            string? resolved = def.BrokerDefault?.Invoke(broker) ?? broker.GetString(synonym);
            if (set)
            {
                return (resolved, ConfigSource.StaticBrokerConfig);
            }
            return (resolved ?? def.Def.Default, ConfigSource.DefaultConfig);
        }
        return (def.Def.Default, ConfigSource.DefaultConfig);
    }
}
