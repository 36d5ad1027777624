namespace Rill.Tracking.Simulator.Metrics;

/// <summary>Turns a growing counter into a per-second rate between successive calls.</summary>
sealed class RateMeter(Func<long> counter)
{
    long _last = counter();
    long _lastTicks = Environment.TickCount64;

    public double PerSecond()
    {
        long now = Environment.TickCount64, value = counter();
        double seconds = Math.Max(0.001, (now - _lastTicks) / 1000.0);
        double rate = (value - _last) / seconds;
        _last = value;
        _lastTicks = now;
        return rate;
    }
}
