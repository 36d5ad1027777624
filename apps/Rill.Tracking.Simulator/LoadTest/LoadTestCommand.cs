using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.Database;
using Rill.Tracking.Simulator.Simulation;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.LoadTest;

/// <summary>
/// loadtest: (1) the seeds' count test, (2) a sustained run, (3) the ramp on Rill and on the database approach; writes
/// the markdown report and its SVG charts. See bench/tracking/README.md for the options.
/// </summary>
static class LoadTestCommand
{
    public static async Task<int> RunAsync(CommandLine cl, CancellationToken ct)
    {
        var o = LoadTestOptions.From(cl);
        cl.RejectUnknown();
        var city = CityModel.Generate(o.CitySeed);
        using var app = new AppClient(o.App, o.OperatorKey, maxConnections: 256);
        await app.WaitHealthyAsync(TimeSpan.FromSeconds(120), ct);
        var report = new LoadTestReport(o);
        report.WarmUp = await WarmUp.RunAsync(app, city, ct);
        Console.Error.WriteLine($"warm-up (one rider, one order through every endpoint): {report.WarmUp.TotalSeconds:F1} s");
        int failures = 0;

        if (o.Phases.Contains("count"))
        {
            Console.Error.WriteLine($"== 1. count: {o.Updates} updates, {o.CountRiders} riders at {o.CountRate} Hz");
            var r = await CountTest.RunAsync(app, city, o.Updates, o.CountRiders, o.CountRate, o.Seed, ct);
            report.Count = r;
            Console.Error.WriteLine(r.Passed ? "count: PASS" : "count: FAIL: " + string.Join("; ", r.Failures));
            if (!r.Passed) failures++;
            await report.WriteAsync();
        }
        if (o.Phases.Contains("ramp"))
        {
            Console.Error.WriteLine($"== 3a. ramp on Rill: riders at {o.RampRate} Hz from {o.RampStart}, stages of {o.RampStage.TotalSeconds:F0} s");
            await using var backend = new RillBackend(app);
            report.RillRamp = await RampSearch.RunAsync("ramp rill", backend, app, city,
                new FleetOptions { Seed = o.Seed, Rate = o.RampRate, TimeScale = o.RampTimeScale, RiderPrefix = $"ramp{o.Seed}" },
                o.RampStart, o.RampMax, o.RampStage, o.BoundMs, ct);
            await report.WriteAsync();
        }
        if (o.Phases.Contains("sustained"))
        {
            // As many riders as the machine takes: the ramp's best stage (in update/s, converted to this rate).
            int riders = o.Riders ?? (report.RillRamp is { MaxRiders: > 0 } ramp ? (int)(ramp.MaxRiders * ramp.Rate / o.Rate) : 200);
            Console.Error.WriteLine($"== 2. sustained: {riders} riders at {o.Rate} Hz for {o.Duration.TotalSeconds:F0} s");
            var r = await SustainedTest.RunAsync(app, city, riders, o.Rate, o.Duration, o.Watch, o.Seed + 1, ct);
            report.Sustained = r;
            if (!r.History.Exact || r.Errors > 0) failures++;
            Console.Error.WriteLine($"sustained: acked {r.Acked} ({r.AckedPerSecond:F0}/s), push p50 {r.PushP50:F0} p99 {r.PushP99:F0} p99.9 {r.PushP999:F0} ms, history {(r.History.Exact ? "exact" : "MISMATCH")}");
            await report.WriteAsync();
        }
        if (o.Phases.Contains("database"))
        {
            if (o.Postgres is null) throw new ArgumentException("The database phase needs --postgres CONNECTION-STRING.");
            foreach (var (poll, bound) in new[] { (o.DbPoll, double.PositiveInfinity), (o.DbPollForBound, o.BoundMs) })
            {
                Console.Error.WriteLine($"== 3b. ramp on PostgreSQL: poll every {poll.TotalMilliseconds:F0} ms, riders at {o.RampRate} Hz");
                await using var db = await PostgresBackend.CreateAsync(o.Postgres, poll, o.DbPool, ct);
                var r = await RampSearch.RunAsync($"ramp db {poll.TotalMilliseconds:F0}ms", db, null, city,
                    new FleetOptions { Seed = o.Seed, Rate = o.RampRate, TimeScale = o.RampTimeScale, RiderPrefix = "db", StartParallelism = 64 },
                    o.RampStart, o.RampMax, o.RampStage, bound, ct);
                report.DatabaseRamps.Add((r, await db.CountRowsAsync(ct)));
                await report.WriteAsync();
            }
        }
        await report.WriteAsync();
        Console.Error.WriteLine($"report: {o.ReportPath}");
        return failures == 0 ? 0 : 1;
    }
}

sealed record LoadTestOptions
{
    public required Uri App { get; init; }
    public string? OperatorKey { get; init; }
    public string? Postgres { get; init; }
    public required HashSet<string> Phases { get; init; }
    public long Updates { get; init; }
    public int CountRiders { get; init; }
    public double CountRate { get; init; }
    public int? Riders { get; init; }
    public double Rate { get; init; }
    public TimeSpan Duration { get; init; }
    public int Watch { get; init; }
    public double RampRate { get; init; }
    public double RampTimeScale { get; init; }
    public int RampStart { get; init; }
    public int RampMax { get; init; }
    public TimeSpan RampStage { get; init; }
    public double BoundMs { get; init; }
    public TimeSpan DbPoll { get; init; }
    public TimeSpan DbPollForBound { get; init; }
    public int DbPool { get; init; }
    public int Seed { get; init; }
    public int CitySeed { get; init; }
    public required string ReportPath { get; init; }
    public required string ImageDir { get; init; }
    public string? AnalysisPath { get; init; }
    public string? Note { get; init; }

    public static LoadTestOptions From(CommandLine cl)
    {
        int? riders = cl.String("riders") is null ? null : cl.Int("riders", 0);
        return new LoadTestOptions
        {
            App = new Uri(cl.Required("app").TrimEnd('/') + "/"),
            OperatorKey = cl.String("operator-key") ?? Environment.GetEnvironmentVariable("RILL_TRACKING_OPERATOR_KEY"),
            Postgres = cl.String("postgres"),
            Phases = [.. cl.String("phases", "count,ramp,sustained,database")!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            Updates = (long)cl.Double("updates", 200_000),
            CountRiders = cl.Int("count-riders", 300),
            CountRate = cl.Double("count-rate", 10),
            Riders = riders,
            Rate = cl.Double("rate", 1),
            Duration = cl.Duration("duration", TimeSpan.FromMinutes(5)),
            Watch = cl.Int("watch", 200),
            RampRate = cl.Double("ramp-rate", 1),
            RampTimeScale = cl.Double("ramp-time-scale", 10),
            RampStart = cl.Int("ramp-start", 100),
            RampMax = cl.Int("ramp-max", 6_400),
            RampStage = cl.Duration("ramp-stage", TimeSpan.FromSeconds(15)),
            BoundMs = cl.Double("bound-ms", 250),
            DbPoll = cl.Duration("db-poll", TimeSpan.FromSeconds(1)),
            DbPollForBound = cl.Duration("db-poll-bound", TimeSpan.FromMilliseconds(200)),
            DbPool = cl.Int("db-pool", 50),
            Seed = cl.Int("seed", 1),
            CitySeed = cl.Int("city-seed", 42),
            ReportPath = cl.String("report", "docs/tracking-loadtest.md")!,
            ImageDir = cl.String("img-dir", "docs/img")!,
            AnalysisPath = cl.String("analysis"),
            Note = cl.String("note"),
        };
    }
}
