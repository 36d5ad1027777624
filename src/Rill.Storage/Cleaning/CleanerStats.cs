namespace Rill.Storage.Cleaning;

/// <summary>What one cleaning of one log did (Kafka's CleanerStats, reduced).</summary>
public sealed record CleanerStats
{
    public required string Log { get; init; }
    public long BytesRead { get; init; }
    public long BytesWritten { get; init; }
    public long RecordsRead { get; init; }
    public long RecordsKept { get; init; }
    public long TombstonesDropped { get; init; }
    /// <summary>Records of aborted transactions removed.</summary>
    public long AbortedRecordsDropped { get; init; }
    /// <summary>Transaction markers removed (their transaction's data gone, delete.retention.ms passed).</summary>
    public long MarkersDropped { get; init; }
    public int SegmentsCleaned { get; init; }
    public long FirstDirtyOffset { get; init; }
    public long CleanedUpTo { get; init; }
    public TimeSpan Elapsed { get; init; }

    /// <summary>Log bytes cleaned per second.</summary>
    public double MegabytesPerSecond => Elapsed.TotalSeconds > 0 ? BytesRead / 1e6 / Elapsed.TotalSeconds : 0;
}
