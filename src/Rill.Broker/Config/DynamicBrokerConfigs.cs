namespace Rill.Broker.Config;

/// <summary>
/// Which broker properties AlterConfigs/IncrementalAlterConfigs may change at run time, as Kafka's
/// dynamic update modes say (cluster-wide ones may also be set per broker). Everything else is
/// read-only: it comes from server.properties and <c>--set</c> only. Listeners and security settings,
/// which Kafka lets a broker change per broker, are read-only in Rill (it serves PLAINTEXT only and
/// binds its listeners once at start).
/// </summary>
internal static class DynamicBrokerConfigs
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        // Defaults of topic configs (Kafka's DynamicLogConfig).
        "compression.type", "compression.gzip.level", "compression.lz4.level", "compression.zstd.level",
        "log.cleanup.policy", "log.cleaner.delete.retention.ms", "log.cleaner.min.compaction.lag.ms",
        "log.cleaner.max.compaction.lag.ms", "log.cleaner.min.cleanable.ratio",
        "log.flush.interval.messages", "log.flush.interval.ms", "log.index.interval.bytes", "log.index.size.max.bytes",
        "log.local.retention.bytes", "log.local.retention.ms",
        "log.message.timestamp.type", "log.message.timestamp.before.max.ms", "log.message.timestamp.after.max.ms",
        "log.preallocate", "log.retention.bytes", "log.retention.ms", "log.roll.ms", "log.roll.jitter.ms",
        "log.segment.bytes", "log.segment.delete.delay.ms", "message.max.bytes", "min.insync.replicas",
        "unclean.leader.election.enable",

        // Log cleaner, threads, connection quotas, metrics.
        "log.cleaner.threads", "log.cleaner.io.max.bytes.per.second", "log.cleaner.dedupe.buffer.size",
        "log.cleaner.io.buffer.size", "log.cleaner.io.buffer.load.factor", "log.cleaner.backoff.ms",
        "background.threads", "num.io.threads", "num.network.threads", "num.replica.fetchers",
        "num.recovery.threads.per.data.dir",
        "max.connections", "max.connections.per.ip", "max.connections.per.ip.overrides", "max.connection.creation.rate",
        "metric.reporters", "producer.id.expiration.ms", "transaction.partition.verification.enable",
    };

    /// <summary>True if <paramref name="name"/> can be changed without a restart.</summary>
    public static bool IsDynamic(string name) => Names.Contains(name);

    /// <summary>
    /// Kafka's synonym groups: properties that set the same thing, most specific first. A topic
    /// config's broker synonyms are its whole group; a broker property's are its group from itself on.
    /// </summary>
    private static readonly string[][] Groups =
    [
        ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
        ["log.roll.ms", "log.roll.hours"],
        ["log.roll.jitter.ms", "log.roll.jitter.hours"],
        ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
    ];

    /// <summary>The names that supply <paramref name="brokerName"/>'s value, itself first, then less specific ones.</summary>
    public static IReadOnlyList<string> SynonymsFrom(string brokerName)
    {
        foreach (string[] group in Groups)
        {
            int at = Array.IndexOf(group, brokerName);
            if (at >= 0)
            {
                return group[at..];
            }
        }
        return [brokerName];
    }
}
