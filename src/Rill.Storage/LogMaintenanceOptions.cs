using Rill.Storage.Cleaning;

namespace Rill.Storage;

/// <summary>
/// How often the log manager's background work runs, named after Kafka's broker properties; see
/// <see cref="LogManager.StartMaintenance"/>.
/// </summary>
public sealed record LogMaintenanceOptions
{
    /// <summary>log.flush.scheduler.interval.ms: the tick on which flush.ms, and file.delete.delay.ms, are checked.</summary>
    public long FlushSchedulerIntervalMs { get; init; } = 1000;

    /// <summary>log.retention.check.interval.ms: how often retention.ms / retention.bytes are applied.</summary>
    public long RetentionCheckIntervalMs { get; init; } = 300_000;

    /// <summary>log.flush.offset.checkpoint.interval.ms: how often the recovery and log start checkpoints are written.</summary>
    public long CheckpointIntervalMs { get; init; } = 60_000;

    /// <summary>
    /// producer.id.expiration.ms, read at every check (the broker setting is dynamic): producers that have not written
    /// for this long and have no open transaction are dropped from each partition's producer state. Null: never.
    /// </summary>
    public Func<long>? ProducerIdExpirationMs { get; init; }

    /// <summary>producer.id.expiration.check.interval.ms (Kafka's internal setting, 10 minutes): how often that is checked.</summary>
    public long ProducerIdExpirationCheckIntervalMs { get; init; } = 600_000;

    /// <summary>The log cleaner's settings, or null when it does not run (log.cleaner.enable=false).</summary>
    public LogCleanerOptions? Cleaner { get; init; }
}
