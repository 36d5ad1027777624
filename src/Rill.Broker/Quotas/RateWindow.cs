namespace Rill.Broker.Quotas;

/// <summary>
/// Kafka's windowed rate (a <c>Rate</c> over a <c>SampledStat</c>): <c>quota.window.num</c> samples of
/// <c>quota.window.size.seconds</c> each. A value is added to the current sample; when the current
/// sample is a full window old the next one is started (reusing the oldest slot). Samples older than
/// all windows together are reset. The rate is the sum of the samples divided by the time they span,
/// which is never less than <c>num - 1</c> full windows (so a burst right after start is not measured
/// over a few milliseconds). Not thread-safe: <see cref="QuotaSensor"/> locks around it.
/// </summary>
internal sealed class RateWindow
{
    private readonly long[] _sampleStartMs;
    private readonly double[] _sampleValue;
    private readonly long _windowMs;
    private int _current;
    private int _used;

    public RateWindow(int samples, long windowMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMs, 1);
        _sampleStartMs = new long[samples];
        _sampleValue = new double[samples];
        _windowMs = windowMs;
    }

    public int Samples => _sampleStartMs.Length;
    public long WindowMs => _windowMs;

    /// <summary>Adds <paramref name="value"/> at <paramref name="nowMs"/>.</summary>
    public void Record(double value, long nowMs)
    {
        if (_used == 0)
        {
            _sampleStartMs[0] = nowMs;
            _used = 1;
        }
        else if (nowMs - _sampleStartMs[_current] >= _windowMs)
        {
            _current = (_current + 1) % Samples;
            if (_current >= _used)
            {
                _used = _current + 1;
            }
            _sampleStartMs[_current] = nowMs;
            _sampleValue[_current] = 0;
        }
        _sampleValue[_current] += value;
    }

    /// <summary>Removes a value recorded earlier in the current sample (Kafka "unrecords" a throttled fetch's bytes).</summary>
    public void Unrecord(double value, long nowMs) => Record(-value, nowMs);

    /// <summary>Sum of the live samples per second.</summary>
    public double Rate(long nowMs)
    {
        Purge(nowMs);
        double total = 0;
        for (int i = 0; i < _used; i++)
        {
            total += _sampleValue[i];
        }
        return total / (WindowSizeMs(nowMs) / 1000.0);
    }

    /// <summary>
    /// The time the rate is measured over: from the start of the oldest sample to now, but at least
    /// <c>samples - 1</c> full windows (Kafka's <c>Rate.windowSize</c>).
    /// </summary>
    public long WindowSizeMs(long nowMs)
    {
        Purge(nowMs);
        long oldest = nowMs;
        for (int i = 0; i < _used; i++)
        {
            oldest = Math.Min(oldest, _sampleStartMs[i]);
        }
        long elapsed = nowMs - oldest;
        long fullWindows = elapsed / _windowMs;
        long minFullWindows = Samples - 1;
        if (fullWindows < minFullWindows)
        {
            elapsed += (minFullWindows - fullWindows) * _windowMs;
        }
        return Math.Max(elapsed, 1);
    }

    /// <summary>Resets samples that started <c>samples x window</c> or more ago (Kafka's purgeObsoleteSamples).</summary>
    private void Purge(long nowMs)
    {
        long expireAge = Samples * _windowMs;
        for (int i = 0; i < _used; i++)
        {
            if (nowMs - _sampleStartMs[i] >= expireAge)
            {
                _sampleStartMs[i] = nowMs;
                _sampleValue[i] = 0;
            }
        }
    }
}
