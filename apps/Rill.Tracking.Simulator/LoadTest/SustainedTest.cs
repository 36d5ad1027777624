using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.Simulation;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.LoadTest;

sealed record SustainedResult(int Riders, double Rate, TimeSpan Duration, long Sent, long Acked, long Errors, int ClosedLinks,
    double AckedPerSecond, double PushP50, double PushP99, double PushP999, long PushSamples, int Watched, long MaxLag,
    TimeSpan? LagDrain, int ProbeUpdates, HistoryResult History, long LateRestarts, IReadOnlyList<Sample> Samples, string? LastError, double AckP50, double AckP99, double AckP999, double LoadAverage);

/// <summary>Phase 2: a fixed number of riders for a duration; rate, push latency, lag over time, history == acks.</summary>
static class SustainedTest
{
    public static async Task<SustainedResult> RunAsync(AppClient app, CityModel city, int riders, double rate, TimeSpan duration,
        int watches, int seed, CancellationToken ct)
    {
        long fromMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await using var backend = new RillBackend(app);
        var options = new FleetOptions
        {
            Seed = seed, Rate = rate, TimeScale = Math.Max(1, rate), MaxWatches = watches, RiderPrefix = $"sust{seed}",
        };
        await using var fleet = new Fleet(backend, city, options);
        List<Sample> samples;
        TimeSpan measured;
        await using (var sampler = new Sampler("sustained", fleet, app))
        {
            await fleet.AddRidersAsync(riders, ct);
            var start = DateTime.UtcNow;
            fleet.PushLatency.Clear();          // latency of the steady state, not of the connection storm
            backend.AckLatency.Clear();
            try { await Task.Delay(duration, ct); }
            catch (OperationCanceledException) { }
            measured = DateTime.UtcNow - start;
            await fleet.StopAsync(TimeSpan.FromSeconds(60));
            samples = sampler.Samples;
        }
        var lagWait = await LagWaiter.WaitForZeroLagAsync(app, TimeSpan.FromSeconds(180), CancellationToken.None, $"probe-sust{seed}");
        var drain = lagWait.Took;
        long toMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000;
        var history = await HistoryCheck.VerifyAsync(app, fleet, fromMs, toMs, TimeSpan.FromSeconds(60), CancellationToken.None);
        var steady = samples.Where(s => s.Riders == riders).ToList();
        double ackedRate = steady.Count == 0 ? 0 : steady.Average(s => s.AckedPerSecond);
        long maxLag = samples.Select(s => s.Lag.Values.DefaultIfEmpty(0).Max()).DefaultIfEmpty(0).Max();
        var p = fleet.PushLatency;
        return new SustainedResult(riders, rate, measured, fleet.Sent, fleet.Acked, fleet.Errors, fleet.ClosedLinks, ackedRate,
            p.Percentile(50), p.Percentile(99), p.Percentile(99.9), p.Count, fleet.AllWatches.Count, maxLag, drain, lagWait.ProbeUpdates, history,
            fleet.LateRestarts, samples, fleet.LastError, backend.AckLatency.Percentile(50), backend.AckLatency.Percentile(99),
            backend.AckLatency.Percentile(99.9), steady.Select(x => x.LoadAverage).DefaultIfEmpty(double.NaN).Average());
    }
}
