using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.Simulation;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.LoadTest;

/// <summary>Phase 1, the seeds' test: N updates through the whole pipeline, counted everywhere.</summary>
sealed record CountResult(long Target, long Sent, long Acked, long Errors, long AppAckedDelta, TimeSpan SendTime,
    TimeSpan? LagDrain, int ProbeUpdates, IReadOnlyDictionary<string, long> FinalLag, IReadOnlyDictionary<string, long> ProcessedDelta,
    HistoryResult History, long WatchedSent, long WatchedReceived, long WatchedDelivered, long WatchedDuplicates, long WatchedOverlaps,
    int WatchedOrders, int OrdersWithNear, int OrdersWithTwoNear, long Delivered, IReadOnlyList<Sample> Samples,
    string? LastError, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;
}

static class CountTest
{
    public static async Task<CountResult> RunAsync(AppClient app, CityModel city, long updates, int riders, double rate,
        int seed, CancellationToken ct)
    {
        // start from a settled app: what the groups processed before (warm-up, earlier phases) is all counted in `before`
        var settled = await LagWaiter.WaitForZeroLagAsync(app, TimeSpan.FromSeconds(60), ct, $"probe-before{seed}");
        var before = settled.Stats ?? await app.GetStatsAsync(ct);
        long fromMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await using var backend = new RillBackend(app);
        var options = new FleetOptions
        {
            // 5 simulated seconds per update, so orders get delivered within the run.
            Seed = seed, Rate = rate, TimeScale = 5 * Math.Max(1, rate), MaxUpdates = updates, MaxWatches = 100,
            RiderPrefix = $"count{seed}",
        };
        await using var fleet = new Fleet(backend, city, options);
        List<Sample> samples;
        var started = DateTime.UtcNow;
        TimeSpan sendTime;
        await using (var sampler = new Sampler("count", fleet, app))
        {
            await fleet.AddRidersAsync(riders, ct);
            await fleet.RidersFinished().WaitAsync(ct);
            sendTime = DateTime.UtcNow - started;
            await fleet.StopAsync(TimeSpan.FromSeconds(60));
            samples = sampler.Samples;
        }
        var lagWait = await LagWaiter.WaitForZeroLagAsync(app, TimeSpan.FromSeconds(180), ct, $"probe-count{seed}");
        var (stats, drain) = (lagWait.Stats, lagWait.Took);
        long toMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000;
        var history = await HistoryCheck.VerifyAsync(app, fleet, fromMs, toMs, TimeSpan.FromSeconds(60), ct);

        var processedDelta = new Dictionary<string, long>();
        if (stats is not null)
            foreach (var (group, n) in stats.Processed)
                processedDelta[group] = n - before.Processed.GetValueOrDefault(group);

        var watches = fleet.AllWatches;
        var failures = new List<string>();
        long acked = fleet.Acked;
        if (fleet.Sent != updates) failures.Add($"sent {fleet.Sent} updates, not {updates}");
        if (acked != fleet.Sent) failures.Add($"{fleet.Sent - acked} updates never acked");
        if (fleet.Errors > 0) failures.Add($"{fleet.Errors} error frames");
        long appDelta = (stats?.Acked ?? 0) - before.Acked - lagWait.ProbeUpdates;
        if (appDelta != acked) failures.Add($"the app counted {appDelta} acks, the riders {acked}");
        if (drain is null) failures.Add("consumer lag did not reach 0 in every group within 180 s");
        // every group processes each acked update at least once, plus the lag waiter's probe updates. More is a replay:
        // the groups are at-least-once, so records processed after the last commit that landed are processed again after
        // a rebalance (a heartbeat starved on a loaded machine); what a replay must not do is checked below (history rows
        // stay exact, customers see no duplicate position). Fewer means an update was skipped.
        foreach (var (group, n) in processedDelta)
            if (n < acked + lagWait.ProbeUpdates) failures.Add($"group {group} processed {n} records, fewer than {acked + lagWait.ProbeUpdates} ({acked} acked + {lagWait.ProbeUpdates} lag probes)");
        if (!history.Exact)
            failures.Add($"history: {history.Rows} rows for {history.Acked} acked, {history.Duplicates} duplicates, {history.Missing} missing{(history.Error is null ? "" : ", " + history.Error)}");
        long wSent = watches.Sum(w => w.SentWhileArmed), wDelivered = watches.Sum(w => w.ExactlyReceived);
        if (wDelivered != wSent) failures.Add($"customers saw {wDelivered} of the {wSent} positions sent while they watched");
        long dup = watches.Sum(w => w.Duplicates);
        if (dup > 0) failures.Add($"customers received {dup} duplicate positions (first: {watches.Select(w => w.FirstDuplicate).First(d => d is not null)})");
        int twoNear = watches.Count(w => w.NearEvents > 1);
        if (twoNear > 0) failures.Add($"{twoNear} orders got more than one 'near' event");

        return new CountResult(updates, fleet.Sent, acked, fleet.Errors, appDelta, sendTime, drain, lagWait.ProbeUpdates,
            stats?.Lag ?? new Dictionary<string, long>(), processedDelta, history, wSent, watches.Sum(w => w.Received), wDelivered, dup, watches.Sum(w => w.SnapshotOverlaps),
            watches.Count, watches.Count(w => w.NearEvents > 0), twoNear, fleet.Delivered, samples, fleet.LastError, failures);
    }
}
