namespace Rill.Broker.Quotas;

/// <summary>
/// One quota's rate (per entity and quota type) and its bound: records a value, and when the rate
/// then exceeds the bound returns how long the client must wait for the rate to come back to the
/// bound, as Kafka computes it: <c>(rate - bound) / bound x window size</c>, rounded (Kafka's
/// QuotaUtils.throttleTime). The value is recorded even when over the quota (the request is served).
/// </summary>
internal sealed class QuotaSensor
{
    private readonly RateWindow _rate;
    private readonly Lock _lock = new();
    private long _throttleMsTotal;

    public QuotaSensor(int samples, long windowMs, KeyValuePair<string, object?>[] tags)
    {
        _rate = new RateWindow(samples, windowMs);
        Tags = tags;
    }

    /// <summary>{quota.type, user, client-id} (or {quota.type, ip}), built once.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>The bound last applied (units per second); refreshed on every record from the quota configs.</summary>
    public double Bound { get; private set; } = double.PositiveInfinity;

    /// <summary>Total throttle time handed out, for the quota metrics.</summary>
    public long ThrottleMsTotal => Interlocked.Read(ref _throttleMsTotal);

    /// <summary>Records <paramref name="value"/> and returns the throttle time in ms (0 when within the bound).</summary>
    public long RecordAndGetThrottleMs(double value, double bound, long nowMs, long maxThrottleMs = long.MaxValue)
    {
        lock (_lock)
        {
            Bound = bound;
            _rate.Record(value, nowMs);
            double rate = _rate.Rate(nowMs);
            if (rate <= bound)
            {
                return 0;
            }
            if (bound <= 0)
            {
                return Math.Min(_rate.WindowSizeMs(nowMs), maxThrottleMs); // a zero quota: wait a full measuring window
            }
            long throttle = (long)Math.Round((rate - bound) / bound * _rate.WindowSizeMs(nowMs), MidpointRounding.AwayFromZero);
            return Math.Min(throttle, maxThrottleMs);
        }
    }

    /// <summary>Takes back a recorded value (a throttled Fetch is answered empty, so its bytes are not counted).</summary>
    public void Unrecord(double value, long nowMs)
    {
        lock (_lock)
        {
            _rate.Unrecord(value, nowMs);
        }
    }

    /// <summary>The current rate (units per second).</summary>
    public double Rate(long nowMs)
    {
        lock (_lock)
        {
            return _rate.Rate(nowMs);
        }
    }

    /// <summary>
    /// The most a client may take in one go without exceeding the bound over the measured windows
    /// (Kafka's getMaxValueInQuotaWindow: bound x (samples - 1) x window).
    /// </summary>
    public double MaxValueInQuotaWindow(double bound) => bound * (_rate.Samples - 1) * _rate.WindowMs / 1000.0;

    public void AddThrottle(long ms) => Interlocked.Add(ref _throttleMsTotal, ms);
}
