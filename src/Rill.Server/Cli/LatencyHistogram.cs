namespace Rill.Server.Cli;

/// <summary>Latencies in whole milliseconds (0..60 s), recorded without allocating; percentiles by counting.</summary>
internal sealed class LatencyHistogram
{
    private readonly long[] _counts = new long[60_001];
    private long _total;
    private long _sum;
    private long _max;

    public long Count => Interlocked.Read(ref _total);

    public void Record(long ms)
    {
        ms = Math.Clamp(ms, 0, _counts.Length - 1);
        Interlocked.Increment(ref _counts[ms]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sum, ms);
        long max;
        while (ms > (max = Interlocked.Read(ref _max)) && Interlocked.CompareExchange(ref _max, ms, max) != max)
        {
        }
    }

    public double Average => _total == 0 ? 0 : (double)_sum / _total;

    public long Max => _max;

    public long Percentile(double p)
    {
        long target = (long)Math.Ceiling(_total * p);
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target && seen > 0)
            {
                return i;
            }
        }
        return _max;
    }
}
