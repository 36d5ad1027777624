using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.Simulation;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.LoadTest;

/// <summary>One step of a ramp: riders held for a while, and whether the system kept up within the latency bound.</summary>
sealed record RampStage(int Riders, double Offered, double AckedPerSecond, double PushP50, double PushP99, double PushP999,
    long PushSamples, long Errors, long Lag, bool KeptUp, bool WithinBound, string? Why, double AckP99 = double.NaN, double LoadAverage = double.NaN)
{
    public bool Passed => KeptUp && WithinBound;
}

sealed record RampResult(string System, double Rate, double BoundMs, IReadOnlyList<RampStage> Stages, IReadOnlyList<Sample> Samples)
{
    /// <summary>The most riders of a passing stage (0 if none passed).</summary>
    public int MaxRiders => Stages.Where(s => s.Passed).Select(s => s.Riders).DefaultIfEmpty(0).Max();
    public int MaxRidersKeptUp => Stages.Where(s => s.KeptUp).Select(s => s.Riders).DefaultIfEmpty(0).Max();
    public RampStage? Best => Stages.Where(s => s.Passed).MaxBy(s => s.Riders);
}

/// <summary>
/// Doubles the riders stage by stage on one system until it stops keeping up (acked rate under 95 % of offered,
/// errors, or consumer lag growing past two seconds of traffic) or its push latency p99 passes the bound.
/// The latency of a stage is measured after a settling third of the stage.
/// </summary>
static class RampSearch
{
    public static async Task<RampResult> RunAsync(string phase, ITrackingBackend backend, AppClient? app, CityModel city,
        FleetOptions options, int startRiders, int maxRiders, TimeSpan stageTime, double boundMs, CancellationToken ct)
    {
        var stages = new List<RampStage>();
        await using var fleet = new Fleet(backend, city, options with { MaxWatches = int.MaxValue });
        List<Sample> samples;
        await using (var sampler = new Sampler(phase, fleet, app))
        {
            for (int riders = startRiders; riders <= maxRiders; riders *= 2)
            {
                var stageStart = DateTime.UtcNow;
                try
                {
                    await fleet.AddRidersAsync(riders - fleet.RiderCount, ct);
                }
                catch (Exception e) when (e is HttpRequestException or System.Net.WebSockets.WebSocketException or TimeoutException)
                {
                    stages.Add(new RampStage(riders, riders * options.Rate, 0, double.NaN, double.NaN, double.NaN, 0, 0, 0, false, false,
                        $"could not connect the riders: {e.Message}"));
                    break;
                }
                var settle = stageTime / 3;
                var rest = stageTime - (DateTime.UtcNow - stageStart);
                if (rest < settle * 2) rest = settle * 2;
                await Task.Delay(settle, ct);
                var window = new Metrics.LatencyHistogram();
                (backend as RillBackend)?.AckLatency.Clear();
                int loadSamples = sampler.Samples.Count;
                long ackedBefore = fleet.Acked, errorsBefore = fleet.Errors;
                var measureStart = DateTime.UtcNow;
                using (Subscribe(fleet, window))
                    await Task.Delay(rest - settle, ct);
                double seconds = (DateTime.UtcNow - measureStart).TotalSeconds;
                double ackedRate = (fleet.Acked - ackedBefore) / seconds;
                long errors = fleet.Errors - errorsBefore;
                long lag = sampler.LastStats?.Lag.Values.DefaultIfEmpty(0).Max() ?? 0;    // the group furthest behind
                double offered = riders * options.Rate;
                var why = new List<string>();
                bool keptUp = true;
                if (ackedRate < offered * 0.95) { keptUp = false; why.Add($"acked {ackedRate:F0}/s of {offered:F0}/s offered"); }
                if (errors > 0) { keptUp = false; why.Add($"{errors} errors"); }
                if (fleet.ClosedLinks > 0) { keptUp = false; why.Add($"{fleet.ClosedLinks} rider connections closed"); }
                if (lag > Math.Max(1_000, offered * 2)) { keptUp = false; why.Add($"consumer lag {lag} records"); }
                double p99 = window.Percentile(99);
                bool within = window.Count > 0 && p99 <= boundMs;
                if (window.Count == 0) why.Add("no push latency samples");
                else if (!within) why.Add($"push p99 {p99:F0} ms > {boundMs:F0} ms");
                stages.Add(new RampStage(riders, offered, ackedRate, window.Percentile(50), p99, window.Percentile(99.9), window.Count,
                    errors, lag, keptUp, within, why.Count == 0 ? null : string.Join("; ", why),
                    (backend as RillBackend)?.AckLatency.Percentile(99) ?? double.NaN,
                    sampler.Samples.Skip(loadSamples).Select(x => x.LoadAverage).DefaultIfEmpty(double.NaN).Average()));
                Console.Error.WriteLine();
                Console.Error.WriteLine($"[{phase}] {riders} riders: acked {ackedRate:F0}/s of {offered:F0}/s, push {window} -> {(keptUp && within ? "pass" : "stop: " + string.Join("; ", why))}");
                // Stop at the first stage that fails both ways; a latency miss alone keeps going when no bound applies.
                if (!keptUp || (!within && !double.IsPositiveInfinity(boundMs))) break;
            }
            await fleet.StopAsync(TimeSpan.FromSeconds(20));
            samples = sampler.Samples;
        }
        return new RampResult(backend.Name, options.Rate, boundMs, stages, samples);
    }

    /// <summary>Copies the fleet's push latencies into a stage window while it is measured.</summary>
    static IDisposable Subscribe(Fleet fleet, Metrics.LatencyHistogram window) => fleet.AddLatencyListener(window);
}
