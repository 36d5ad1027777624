namespace Rill.Storage;

/// <summary>
/// What the log manager knows about a partition from its checkpoint files when it opens it.
/// </summary>
public sealed record LogOpenOptions
{
    /// <summary>
    /// Offset below which everything is known to be fsynced (recovery-point-offset-checkpoint). After an unclean
    /// shutdown every segment holding offsets at or above it is scanned and validated. 0: recover everything.
    /// </summary>
    public long RecoveryPoint { get; init; }

    /// <summary>Log start offset from log-start-offset-checkpoint, when known (it can lie inside the first segment).</summary>
    public long? LogStartOffset { get; init; }

    /// <summary>First offset not yet compacted (cleaner-offset-checkpoint), when known; else the cleaner starts from the log start.</summary>
    public long? CleanerCheckpoint { get; init; }

    /// <summary>A replicated partition's high watermark from replication-offset-checkpoint, when known.</summary>
    public long? HighWatermark { get; init; }

    /// <summary>Time source for appends (LogAppendTime), segment.ms and flush.ms. Default: the system clock.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>
    /// producer.id.expiration.ms: producers idle this long (and with no open transaction) are dropped from the
    /// producer state loaded at open, as Kafka does. Null: none are dropped.
    /// </summary>
    public long? ProducerIdExpirationMs { get; init; }

    /// <summary>The budget of open segment files this log shares (its log manager's); null: the process-wide default.</summary>
    internal Segments.SegmentFileCache? SegmentFiles { get; init; }

    /// <summary>
    /// The log directory's clean-shutdown marker was found: every log in it was closed cleanly, whatever its own
    /// directory holds (<see cref="LogManager.Close"/> writes one marker for the directory, as Kafka does).
    /// </summary>
    internal bool LogDirectoryClean { get; init; }

    public static LogOpenOptions Default { get; } = new();
}
