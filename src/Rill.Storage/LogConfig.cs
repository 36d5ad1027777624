namespace Rill.Storage;

/// <summary>Which timestamp a topic keeps (Kafka's message.timestamp.type).</summary>
public enum TimestampType
{
    CreateTime = 0,
    LogAppendTime = 1,
}

/// <summary>
/// Per-partition log settings, named after Kafka's topic configs (segment.bytes, segment.ms, ...). The broker
/// resolves topic overrides and broker defaults into one of these; storage only reads it.
/// </summary>
public sealed record LogConfig
{
    /// <summary>segment.bytes: a segment rolls before it would grow past this size.</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary>segment.ms: a segment rolls once this much time separates its first batch from a new one.</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>index.interval.bytes: bytes of log between two offset index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>segment.index.bytes: maximum size of a segment's .index/.timeindex; a full index rolls the segment.</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>flush.messages: fsync after this many records (default: never, the OS decides).</summary>
    public long FlushIntervalMessages { get; init; } = long.MaxValue;

    /// <summary>flush.ms: fsync when this long has passed since the last fsync (default: never).</summary>
    public long FlushIntervalMs { get; init; } = long.MaxValue;

    /// <summary>message.timestamp.type.</summary>
    public TimestampType MessageTimestampType { get; init; } = TimestampType.CreateTime;

    /// <summary>max.message.bytes: largest record batch accepted.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024 + 12;

    /// <summary>retention.ms (-1: unlimited): <see cref="PartitionLog.ApplyRetention"/> deletes segments older than this.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>retention.bytes (-1: unlimited): <see cref="PartitionLog.ApplyRetention"/> keeps the log under this size.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary>cleanup.policy includes "delete": retention applies (a compact-only log keeps every segment).</summary>
    public bool DeleteRetention { get; init; } = true;

    /// <summary>cleanup.policy includes "compact": the log cleaner keeps the latest record per key.</summary>
    public bool Compact { get; init; }

    /// <summary>delete.retention.ms: how long a tombstone (null value) stays readable in a compacted log.</summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary>file.delete.delay.ms: how long a segment retention or the cleaner removed stays open (as <c>*.deleted</c>) for readers.</summary>
    public long FileDeleteDelayMs { get; init; } = 60_000;

    /// <summary>min.cleanable.dirty.ratio: share of the log that must be uncleaned before the cleaner runs.</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>min.compaction.lag.ms: records younger than this are never compacted.</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary>max.compaction.lag.ms: a record older than this is compacted whatever the dirty ratio.</summary>
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary>
    /// preallocate: a new segment's disk blocks (segment.bytes) are reserved when its file is created, and what it
    /// did not use is released when it stops being the active segment (roll, close). On Linux, fallocate with
    /// FALLOC_FL_KEEP_SIZE: the file's length stays that of its data, so readers and recovery see no difference.
    /// </summary>
    public bool Preallocate { get; init; }

    /// <summary>
    /// How long the active segment may stay open: segment.ms, and for a compacted log at most
    /// max.compaction.lag.ms (the active segment is never cleaned, so it must roll for the lag to hold).
    /// </summary>
    internal long EffectiveSegmentMs => Compact ? Math.Min(SegmentMs, MaxCompactionLagMs) : SegmentMs;

    /// <summary>Default settings, as Kafka's defaults.</summary>
    public static LogConfig Default { get; } = new();

    internal void Validate()
    {
        if (SegmentBytes < 14) throw new ArgumentOutOfRangeException(nameof(SegmentBytes), SegmentBytes, "segment.bytes must be at least 14.");
        if (SegmentMs < 1) throw new ArgumentOutOfRangeException(nameof(SegmentMs), SegmentMs, "segment.ms must be at least 1.");
        if (IndexIntervalBytes < 0) throw new ArgumentOutOfRangeException(nameof(IndexIntervalBytes), IndexIntervalBytes, "index.interval.bytes must not be negative.");
        if (SegmentIndexBytes < 12) throw new ArgumentOutOfRangeException(nameof(SegmentIndexBytes), SegmentIndexBytes, "segment.index.bytes must be at least 12.");
        if (FlushIntervalMessages < 1) throw new ArgumentOutOfRangeException(nameof(FlushIntervalMessages), FlushIntervalMessages, "flush.messages must be at least 1.");
        if (FlushIntervalMs < 0) throw new ArgumentOutOfRangeException(nameof(FlushIntervalMs), FlushIntervalMs, "flush.ms must not be negative.");
        if (DeleteRetentionMs < 0) throw new ArgumentOutOfRangeException(nameof(DeleteRetentionMs), DeleteRetentionMs, "delete.retention.ms must not be negative.");
        if (MinCleanableDirtyRatio is < 0 or > 1 || double.IsNaN(MinCleanableDirtyRatio)) throw new ArgumentOutOfRangeException(nameof(MinCleanableDirtyRatio), MinCleanableDirtyRatio, "min.cleanable.dirty.ratio must be between 0 and 1.");
        if (MinCompactionLagMs < 0) throw new ArgumentOutOfRangeException(nameof(MinCompactionLagMs), MinCompactionLagMs, "min.compaction.lag.ms must not be negative.");
        if (MaxCompactionLagMs < 1) throw new ArgumentOutOfRangeException(nameof(MaxCompactionLagMs), MaxCompactionLagMs, "max.compaction.lag.ms must be at least 1.");
        if (FileDeleteDelayMs < 0) throw new ArgumentOutOfRangeException(nameof(FileDeleteDelayMs), FileDeleteDelayMs, "file.delete.delay.ms must not be negative.");
        if (MaxMessageBytes < 0) throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), MaxMessageBytes, "max.message.bytes must not be negative.");
    }
}
