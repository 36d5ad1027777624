using Rill.Storage;
using static Rill.Broker.Config.ConfigType;

namespace Rill.Broker.Config;

/// <summary>
/// A topic-level config: its definition (name, type, default, valid values; every topic config is dynamic), the
/// broker property its default comes from, and the <see cref="LogConfig"/> field its parsed value feeds (null when
/// storage does not use it).
/// </summary>
public sealed record TopicConfigDef(ConfigDef Def, string? BrokerSynonym, Func<LogConfig, object, LogConfig>? FeedsLog = null)
{
    public string Name => Def.Name;
}

/// <summary>
/// Apache Kafka 4.0's topic-level configs, one line each: type, Kafka default, valid values, the broker property
/// supplying the default (retention.ms &lt;- log.retention.ms/minutes/hours, ...), whether Rill acts on it, and the
/// <see cref="LogConfig"/> field it feeds (<see cref="TopicConfig.ToLogConfig"/>). Names removed in 4.0 are
/// accepted; message.timestamp.difference.max.ms is still honoured.
/// </summary>
public static class KafkaTopicConfigs
{
    private const bool A = true, N = false;
    private const ConfigType Bool = ConfigType.Boolean, Str = ConfigType.String, Dbl = ConfigType.Double;
    private const string LMax = "9223372036854775807";

    public static readonly IReadOnlyList<TopicConfigDef> All =
    [
        T("cleanup.policy", List, "delete", "[compact, delete]", "log.cleanup.policy", A,
            (c, v) => c with { DeleteRetention = ((IReadOnlyList<string>)v).Contains("delete"), Compact = ((IReadOnlyList<string>)v).Contains("compact") }),
        T("compression.gzip.level", Int, "-1", "[1,...,9] or -1", "compression.gzip.level", N),
        T("compression.lz4.level", Int, "9", "[1,...,17]", "compression.lz4.level", N),
        T("compression.type", Str, "producer", "[uncompressed, zstd, lz4, snappy, gzip, producer]", "compression.type", N),
        T("compression.zstd.level", Int, "3", "[-131072,...,22]", "compression.zstd.level", N),
        T("delete.retention.ms", Long, "86400000", "[0,...]", "log.cleaner.delete.retention.ms", A, (c, v) => c with { DeleteRetentionMs = (long)v }),
        T("file.delete.delay.ms", Long, "60000", "[0,...]", "log.segment.delete.delay.ms", A, (c, v) => c with { FileDeleteDelayMs = (long)v }),
        T("flush.messages", Long, LMax, "[1,...]", "log.flush.interval.messages", A, (c, v) => c with { FlushIntervalMessages = (long)v }),
        T("flush.ms", Long, LMax, "[0,...]", "log.flush.interval.ms", A, (c, v) => c with { FlushIntervalMs = (long)v }),
        T("follower.replication.throttled.replicas", List, "", "", null, N),
        T("index.interval.bytes", Int, "4096", "[0,...]", "log.index.interval.bytes", A, (c, v) => c with { IndexIntervalBytes = (int)v }),
        T("leader.replication.throttled.replicas", List, "", "", null, N),
        T("local.retention.bytes", Long, "-2", "[-2,...]", "log.local.retention.bytes", N),
        T("local.retention.ms", Long, "-2", "[-2,...]", "log.local.retention.ms", N),
        T("max.compaction.lag.ms", Long, LMax, "[1,...]", "log.cleaner.max.compaction.lag.ms", A, (c, v) => c with { MaxCompactionLagMs = (long)v }),
        T("max.message.bytes", Int, "1048588", "[0,...]", "message.max.bytes", A, (c, v) => c with { MaxMessageBytes = (int)v }),
        T("message.timestamp.after.max.ms", Long, "3600000", "[0,...]", "log.message.timestamp.after.max.ms", A),
        T("message.timestamp.before.max.ms", Long, LMax, "[0,...]", "log.message.timestamp.before.max.ms", A),
        T("message.timestamp.type", Str, "CreateTime", "[CreateTime, LogAppendTime]", "log.message.timestamp.type", A,
            (c, v) => c with { MessageTimestampType = (string)v == "LogAppendTime" ? TimestampType.LogAppendTime : TimestampType.CreateTime }),
        T("min.cleanable.dirty.ratio", Dbl, "0.5", "[0,...,1]", "log.cleaner.min.cleanable.ratio", A, (c, v) => c with { MinCleanableDirtyRatio = (double)v }),
        T("min.compaction.lag.ms", Long, "0", "[0,...]", "log.cleaner.min.compaction.lag.ms", A, (c, v) => c with { MinCompactionLagMs = (long)v }),
        T("min.insync.replicas", Int, "1", "[1,...]", "min.insync.replicas", A),
        T("preallocate", Bool, "false", "", "log.preallocate", A, (c, v) => c with { Preallocate = (bool)v }),
        T("remote.log.copy.disable", Bool, "false", "", null, N),
        T("remote.log.delete.on.disable", Bool, "false", "", null, N),
        T("remote.storage.enable", Bool, "false", "", null, N),
        T("retention.bytes", Long, "-1", "", "log.retention.bytes", A, (c, v) => c with { RetentionBytes = (long)v }),
        T("retention.ms", Long, "604800000", "[-1,...]", "log.retention.ms", A, (c, v) => c with { RetentionMs = (long)v }),
        T("segment.bytes", Int, "1073741824", "[1048576,...]", "log.segment.bytes", A, (c, v) => c with { SegmentBytes = (int)v }),
        T("segment.index.bytes", Int, "10485760", "[4,...]", "log.index.size.max.bytes", A, (c, v) => c with { SegmentIndexBytes = (int)v }),
        T("segment.jitter.ms", Long, "0", "[0,...]", "log.roll.jitter.ms", N),
        T("segment.ms", Long, "604800000", "[1,...]", "log.roll.ms", A, (c, v) => c with { SegmentMs = (long)v }),
        T("unclean.leader.election.enable", Bool, "false", "", "unclean.leader.election.enable", N),

        // Removed in Kafka 4.0: accepted, never applied.
        new(new ConfigDef("message.downconversion.enable", Bool, "true", "", Applied: false, Removed: true, Dynamic: true), null),
        new(new ConfigDef("message.format.version", Str, null, "", Applied: false, Removed: true, Dynamic: true), null),

        // Removed in Kafka 4.0, replaced by message.timestamp.before/after.max.ms (KIP-937). Rill still
        // honours it as Kafka 3.6-3.9 did: it bounds both sides when those two are not set.
        new(new ConfigDef("message.timestamp.difference.max.ms", Long, LMax, "[0,...]", Applied: true, Removed: true, Dynamic: true),
            "log.message.timestamp.difference.max.ms"),
    ];

    private static readonly Dictionary<string, TopicConfigDef> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>The catalogue entry for <paramref name="name"/>, or null.</summary>
    public static TopicConfigDef? Find(string name) => ByName.GetValueOrDefault(name);

    private static TopicConfigDef T(string name, ConfigType type, string? dflt, string valid, string? synonym, bool applied,
        Func<LogConfig, object, LogConfig>? feedsLog = null) =>
        new(new ConfigDef(name, type, dflt, valid, applied, Dynamic: true), synonym, feedsLog);
}
