using Microsoft.Extensions.Logging;
using Rill.Tracking.Hosting;
using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.LoadTest;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.Simulator.Tests;

/// <summary>
/// A short version of the load test against the real app (in-process, embedded broker, SQLite history, port 0):
/// a few thousand updates counted at every group, in the history store and on the customers' SSE streams, then a
/// short sustained run whose history rows equal its acks.
/// </summary>
[Collection(RealAppCollection.Name)]
public sealed class RealAppLoadTests : IAsyncLifetime
{
    const string Key = "sim-test-key";
    readonly string _data = Path.Combine(Path.GetTempPath(), "rill-sim-test-" + Guid.NewGuid().ToString("N"));
    TrackingApp? _app;
    AppClient? _client;

    public async Task InitializeAsync()
    {
        _app = await TrackingApp.StartAsync(new TrackingOptions
        {
            Urls = "http://127.0.0.1:0",
            DataDirectory = _data,
            OperatorKey = Key,
            RiderRatePerSecond = 1000,
            Partitions = 4,
            HistoryBatchDelay = TimeSpan.FromMilliseconds(50),
        }, logging => logging.SetMinimumLevel(LogLevel.Warning));
        _client = new AppClient(_app.BaseAddress, Key);
        await _client.WaitHealthyAsync(TimeSpan.FromSeconds(60));
        await WarmUp.RunAsync(_client, CityModel.Generate(_app.Options.CitySeed), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Short_load_test_counts_every_update_everywhere_and_history_equals_acks()
    {
        var city = CityModel.Generate(_app!.Options.CitySeed);
        var count = await CountTest.RunAsync(_client!, city, updates: 3_000, riders: 30, rate: 20, seed: 7, CancellationToken.None);
        Assert.True(count.Passed, string.Join("; ", count.Failures));
        Assert.Equal(3_000, count.Acked);
        Assert.Equal(3_000, count.History.Rows);
        Assert.NotNull(count.LagDrain);
        Assert.All(LagWaiter.Groups, g => Assert.Equal(0, count.FinalLag[g]));
        // at least once each (a replay after a rebalance processes a few again; its effects are checked by History and the watches)
        Assert.All(LagWaiter.Groups, g => Assert.InRange(count.ProcessedDelta[g], count.Acked + count.ProbeUpdates, count.Acked + count.ProbeUpdates + count.Acked / 10));
        Assert.True(count.WatchedSent > 1_000);

        var sustained = await SustainedTest.RunAsync(_client!, city, riders: 20, rate: 10, duration: TimeSpan.FromSeconds(8), watches: 20,
            seed: 8, CancellationToken.None);
        Assert.True(sustained.History.Exact, $"history {sustained.History}");
        Assert.Equal(sustained.Sent, sustained.Acked);
        Assert.True(sustained.Acked > 800, $"acked {sustained.Acked}");
        Assert.True(sustained.PushSamples > 500, $"push samples {sustained.PushSamples}");
        Assert.NotNull(sustained.LagDrain);
    }
}

/// <summary>Timing-sensitive tests (real app, ramps) run one at a time, not next to each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealAppCollection
{
    public const string Name = "load tests, one at a time";
}
