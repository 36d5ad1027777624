using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.Metrics;
using Rill.Tracking.Simulator.Simulation;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator;

/// <summary>
/// simulate --app URL --operator-key KEY --riders N --rate HZ [--seed N] [--city-seed N] [--time-scale X]
/// [--duration D] [--watch N]: riders ride orders on the city through the app until Ctrl+C (or the duration).
/// </summary>
static class SimulateCommand
{
    public static async Task<int> RunAsync(CommandLine cl, CancellationToken ct)
    {
        var appUri = new Uri(cl.Required("app").TrimEnd('/') + "/");
        string? key = cl.String("operator-key") ?? Environment.GetEnvironmentVariable("RILL_TRACKING_OPERATOR_KEY");
        int riders = cl.Int("riders", 10);
        var options = new FleetOptions
        {
            Rate = cl.Double("rate", 1),
            Seed = cl.Int("seed", 1),
            TimeScale = cl.Double("time-scale", 1),
            MaxWatches = cl.Int("watch", 20),
            RiderPrefix = cl.String("rider-prefix", "rider")!,
        };
        int citySeed = cl.Int("city-seed", 42);
        TimeSpan duration = cl.Duration("duration", Timeout.InfiniteTimeSpan);
        cl.RejectUnknown();
        if (options.Rate <= 0) throw new ArgumentException("--rate must be positive.");

        using var app = new AppClient(appUri, key);
        await app.WaitHealthyAsync(TimeSpan.FromSeconds(60), ct);
        var city = CityModel.Generate(citySeed);
        await using var backend = new RillBackend(app);
        await using var fleet = new Fleet(backend, city, options);
        Console.Error.WriteLine($"simulate: {riders} riders at {options.Rate} Hz against {appUri} (city seed {citySeed}); Ctrl+C stops");
        await fleet.AddRidersAsync(riders, ct);
        var sent = new RateMeter(() => fleet.Sent);
        var acked = new RateMeter(() => fleet.Acked);
        await using (new ProgressLine(() =>
            $"riders {fleet.RiderCount} | sent {fleet.Sent} ({sent.PerSecond():F0}/s) | acked {fleet.Acked} ({acked.PerSecond():F0}/s) | " +
            $"unacked {fleet.Unacked} | errors {fleet.Errors} | closed {fleet.ClosedLinks} | orders {fleet.Orders} delivered {fleet.Delivered} | " +
            $"push {fleet.PushLatency}"))
        {
            try { await Task.Delay(duration, ct); }
            catch (OperationCanceledException) { }
            await fleet.StopAsync(TimeSpan.FromSeconds(10));
        }
        Console.WriteLine($"sent {fleet.Sent}, acked {fleet.Acked}, errors {fleet.Errors}, orders {fleet.Orders}, delivered {fleet.Delivered}, push latency {fleet.PushLatency}");
        if (fleet.LastError is not null) Console.WriteLine($"last error: {fleet.LastError}");
        return fleet.Acked == fleet.Sent && fleet.Errors == 0 ? 0 : 1;
    }
}
