namespace Rill.Tracking.Simulator.Metrics;

/// <summary>
/// Thread-safe latency histogram: 0.1 ms buckets up to 10 s, one overflow bucket above. Percentiles are the upper
/// edge of the bucket that holds them (so never optimistic by more than 0.1 ms).
/// </summary>
sealed class LatencyHistogram
{
    const double BucketMs = 0.1;
    const int Buckets = 100_000;
    readonly long[] _counts = new long[Buckets + 1];
    long _total;
    double _maxMs;

    public long Count => Interlocked.Read(ref _total);
    public double MaxMs => Volatile.Read(ref _maxMs);

    public void Record(double ms)
    {
        if (ms < 0) ms = 0;     // clocks of sender and receiver are the same machine; a sub-ms negative is rounding
        int bucket = ms >= Buckets * BucketMs ? Buckets : (int)(ms / BucketMs);
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Increment(ref _total);
        double max;
        while (ms > (max = Volatile.Read(ref _maxMs)) && Interlocked.CompareExchange(ref _maxMs, ms, max) != max) { }
    }

    /// <summary>The latency at or below which <paramref name="percent"/> % of the samples fall; NaN without samples.</summary>
    public double Percentile(double percent)
    {
        long total = Count;
        if (total == 0) return double.NaN;
        long rank = (long)Math.Ceiling(total * percent / 100.0);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (int i = 0; i <= Buckets; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank) return i == Buckets ? MaxMs : Math.Min((i + 1) * BucketMs, MaxMs);
        }
        return MaxMs;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _maxMs, 0);
    }

    public override string ToString() =>
        Count == 0 ? "no samples" : $"p50 {Percentile(50):F1} ms, p99 {Percentile(99):F1} ms, p99.9 {Percentile(99.9):F1} ms (n={Count})";
}
