using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.LoadTest;
using Rill.Tracking.Simulator.Simulation;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.Tests;

/// <summary>The simulator's fleet and load-test phases against the fake app (the real app has its own test).</summary>
[Collection(RealAppCollection.Name)]
public class SimulatorPipelineTests
{
    static readonly CityModel City = CityModel.Generate(42);

    [Fact]
    public async Task Count_test_passes_when_every_update_is_acked_stored_and_pushed()
    {
        await using var fake = await FakeIngest.StartAsync();
        using var app = new AppClient(fake.BaseUri, "key");
        var result = await CountTest.RunAsync(app, City, updates: 2_000, riders: 20, rate: 50, seed: 1, CancellationToken.None);
        Assert.True(result.Passed, string.Join("; ", result.Failures));
        Assert.Equal(2_000, result.Sent);
        Assert.Equal(2_000, result.Acked);
        Assert.Equal(2_000, result.History.Rows);
        Assert.Equal(2_000, fake.Received.Count);
        Assert.True(result.WatchedSent > 500, $"only {result.WatchedSent} positions watched");
        Assert.Equal(result.WatchedSent, result.WatchedDelivered);
        Assert.True(fake.OrderStatus.Count >= 20, $"{fake.OrderStatus.Count} orders");   // every rider got at least its first order
    }

    [Fact]
    public async Task Count_test_fails_when_positions_do_not_reach_the_customers()
    {
        await using var fake = await FakeIngest.StartAsync();
        fake.DropEveryNthPush = 7;
        using var app = new AppClient(fake.BaseUri, "key");
        var result = await CountTest.RunAsync(app, City, updates: 1_000, riders: 10, rate: 50, seed: 2, CancellationToken.None);
        Assert.False(result.Passed);
        Assert.Contains(result.Failures, f => f.StartsWith("customers saw", StringComparison.Ordinal));
        Assert.True(result.History.Exact);
    }

    [Fact]
    public async Task Riders_complete_orders_through_picked_up_and_delivered()
    {
        await using var fake = await FakeIngest.StartAsync();
        using var app = new AppClient(fake.BaseUri, "key");
        await using var backend = new RillBackend(app);
        // 100 simulated seconds per update: a few km ride takes a handful of updates.
        await using var fleet = new Fleet(backend, City, new FleetOptions { Rate = 20, TimeScale = 2_000, RiderPrefix = "fast" });
        await fleet.AddRidersAsync(3, CancellationToken.None);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (fleet.Delivered < 6 && DateTime.UtcNow < until) await Task.Delay(50);
        await fleet.StopAsync(TimeSpan.FromSeconds(10));
        Assert.True(fleet.Delivered >= 6, $"delivered {fleet.Delivered}");
        Assert.Contains("delivered", fake.OrderStatus.Values);
        Assert.Equal(fleet.Sent, fleet.Acked);
        Assert.Contains(fleet.AllWatches, w => w.DeliveredEvents > 0);
    }

    [Fact]
    public async Task Ramp_stops_at_the_first_stage_over_the_latency_bound()
    {
        await using var fake = await FakeIngest.StartAsync();
        using var app = new AppClient(fake.BaseUri, "key");
        await using var backend = new RillBackend(app);
        // A bound of 0 ms cannot be met: the ramp measures one stage and stops there.
        var ramp = await RampSearch.RunAsync("test", backend, app, City, new FleetOptions { Rate = 5, RiderPrefix = "ramp" },
            startRiders: 4, maxRiders: 64, stageTime: TimeSpan.FromSeconds(6), boundMs: 0, CancellationToken.None);
        var stage = Assert.Single(ramp.Stages);
        Assert.Equal(4, stage.Riders);
        Assert.True(stage.KeptUp, stage.Why);
        Assert.False(stage.WithinBound);
        Assert.True(stage.PushSamples > 0);
        Assert.Equal(0, ramp.MaxRiders);
        Assert.Equal(4, ramp.MaxRidersKeptUp);
    }
}
