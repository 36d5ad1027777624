namespace Rill.Server.Cli;

/// <summary>
/// Latencies in whole milliseconds (0..60 s), recorded without allocating; percentiles by counting.
/// One writer at a time (delivery callbacks of one connection run in order on its reader); the
/// progress line reads <see cref="Count"/> from another thread.
/// </summary>
internal sealed class LatencyHistogram
{
    private readonly long[] _counts = new long[60_001];
    private long _total;
    private long _sum;
    private long _max;

    public long Count => Volatile.Read(ref _total);

    public void Record(long ms)
    {
        ms = Math.Clamp(ms, 0, _counts.Length - 1);
        _counts[ms]++;
        _sum += ms;
        if (ms > _max)
        {
            _max = ms;
        }
        Volatile.Write(ref _total, _total + 1);
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
