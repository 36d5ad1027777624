using System.Diagnostics;

namespace Rill.Tracking.Simulator.Simulation;

/// <summary>
/// Ticks at a fixed rate from a random phase. A tick that is more than a second late restarts the schedule instead of
/// bursting to catch up (and is counted), so a stalled process never floods the ingest's rate limiter.
/// </summary>
sealed class Pacer(double ratePerSecond, double phase)
{
    readonly long _interval = (long)(Stopwatch.Frequency / ratePerSecond);
    long _next = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency / ratePerSecond * phase);

    public long LateRestarts { get; private set; }

    public async ValueTask WaitAsync(CancellationToken ct)
    {
        long now = Stopwatch.GetTimestamp();
        if (now - _next > Stopwatch.Frequency)
        {
            LateRestarts++;
            _next = now;
        }
        long wait = _next - now;
        if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), ct);
        _next += _interval;
    }
}
