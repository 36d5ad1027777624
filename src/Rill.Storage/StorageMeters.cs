using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rill.Storage;

/// <summary>
/// Storage's instruments, on the process-wide meter <c>Rill.Storage</c> (exported by <c>rill serve</c>
/// beside the broker's; names and Kafka counterparts in docs/dev/observability.md). Untagged, so a
/// measurement allocates nothing.
/// </summary>
public static class StorageMeters
{
    public const string MeterName = "Rill.Storage";

    public static readonly Meter Meter = new(MeterName, typeof(StorageMeters).Assembly.GetName().Version?.ToString());

    /// <summary>One fsync of a partition's segment (flush.ms, flush.messages, a roll, an explicit flush).</summary>
    public static readonly Histogram<double> FlushTime = Meter.CreateHistogram<double>("rill.log.flush.time", "s",
        "Time to fsync a log segment and its indexes (Kafka: kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs)");

    /// <summary>Appended bytes written back and dropped from the page cache (rill.log.drop.behind.bytes).</summary>
    public static readonly Counter<long> PageCacheDropped = Meter.CreateCounter<long>("rill.log.page_cache.dropped", "By",
        "Appended log bytes written back and dropped from the page cache beyond rill.log.drop.behind.bytes (no Kafka counterpart)");

    /// <summary>Records the time since <paramref name="started"/> (a <see cref="Stopwatch.GetTimestamp"/> reading) as one flush.</summary>
    internal static void RecordFlush(long started) => FlushTime.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
}
