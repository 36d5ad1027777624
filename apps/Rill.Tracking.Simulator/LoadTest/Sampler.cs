using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.Metrics;
using Rill.Tracking.Simulator.Simulation;

namespace Rill.Tracking.Simulator.LoadTest;

/// <summary>One second of a run: what the simulator saw and (for Rill) what the app's /api/stats said.</summary>
sealed record Sample(double Seconds, int Riders, double OfferedPerSecond, double AckedPerSecond, double AppIngestPerSecond,
    double PushP50, double PushP99, long PushCount, IReadOnlyDictionary<string, long> Lag, long Unacked, double LoadAverage);

/// <summary>Samples a fleet (and the app's stats when there is an app) once a second and renders the progress line.</summary>
sealed class Sampler : IAsyncDisposable
{
    readonly Fleet _fleet;
    readonly AppClient? _app;
    readonly string _phase;
    readonly RateMeter _acked;
    readonly DateTime _start = DateTime.UtcNow;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    readonly ProgressLine _progress;
    Sample? _last;

    public Sampler(string phase, Fleet fleet, AppClient? app)
    {
        _phase = phase;
        _fleet = fleet;
        _app = app;
        _acked = new RateMeter(() => fleet.Acked);
        _loop = LoopAsync();
        _progress = new ProgressLine(Render);
    }

    public List<Sample> Samples { get; } = [];
    public AppStats? LastStats { get; private set; }
    public string? StatsError { get; private set; }

    async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                AppStats? stats = null;
                if (_app is not null)
                {
                    try { stats = LastStats = await _app.GetStatsAsync(_stop.Token); }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
                    {
                        StatsError = e.Message;
                    }
                }
                var interval = _fleet.PushLatencyInterval;
                var s = new Sample((DateTime.UtcNow - _start).TotalSeconds, _fleet.RiderCount, _fleet.RiderCount * _fleet.Options.Rate,
                    _acked.PerSecond(), stats?.IngestPerSecond ?? double.NaN, interval.Percentile(50), interval.Percentile(99),
                    interval.Count, stats?.Lag ?? new Dictionary<string, long>(), _fleet.Unacked, LoadAverage());
                interval.Clear();
                lock (Samples) Samples.Add(s);
                _last = s;
            }
        }
        catch (OperationCanceledException) { }
    }

    string Render()
    {
        var s = _last;
        if (s is null) return $"[{_phase}] starting: riders {_fleet.RiderCount}";
        string lag = s.Lag.Count == 0 ? "-" : string.Join(" ", s.Lag.OrderBy(l => l.Key).Select(l => $"{Short(l.Key)}={l.Value}"));
        return $"[{_phase}] {s.Seconds,5:F0}s riders {s.Riders} | acked {_fleet.Acked} ({s.AckedPerSecond:F0}/s of {s.OfferedPerSecond:F0}) | " +
               $"unacked {s.Unacked} err {_fleet.Errors} | push p50 {s.PushP50:F0} p99 {s.PushP99:F0} ms | lag {lag} | load {s.LoadAverage:F0}";
    }

    /// <summary>The 1-minute load average (how busy the shared machine was), NaN where there is no /proc.</summary>
    public static double LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }

    static string Short(string group) => group.StartsWith("tracking-", StringComparison.Ordinal) ? group[9..] : group;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        await _progress.DisposeAsync();
        _stop.Dispose();
    }
}
