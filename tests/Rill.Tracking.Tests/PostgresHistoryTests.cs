using System.Text.Json;
using Rill.Tracking.History;
using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Tests;

/// <summary>The history group writing to a real PostgreSQL server (binary COPY + INSERT ... ON CONFLICT DO NOTHING).</summary>
public sealed class PostgresHistoryTests
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [PostgresFact]
    public async Task NUpdatesMakeNRowsAReplayWritesNoDuplicatesAndDeliveryWritesASummary()
    {
        await using var pg = await PostgresServer.StartAsync();
        string dir = Directory.CreateTempSubdirectory("rill-tracking-pghist-").FullName;
        await using var broker = await TestApp.StartBrokerAsync();
        const int n = 40;
        long start = Now - 100_000;
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest,history", o => o.PostgresConnectionString = pg.ConnectionString))
        {
            Assert.Equal("postgresql", (await app.GetJsonAsync("/api/history/stats")).GetProperty("store").GetString());
            await app.CreateOrderAsync("pg-order", "pg-1", new LatLon(48.12, 11.58), new LatLon(48.13, 11.58));
            await HistoryTests.SendAsync(app, "pg-1", n, start, orderId: "pg-order");
            await Wait.UntilAsync(async () => await HistoryTests.RowsAsync(app) == n, $"{n} rows in PostgreSQL");
            var rows = await app.GetJsonAsync($"/api/riders/pg-1/history?from={start}&to={start + 4_000}");
            Assert.Equal([1L, 2, 3, 4, 5], rows.EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()));
            (await app.Http.PostAsync("/api/orders/pg-order/delivered", null)).EnsureSuccessStatusCode();
            await Wait.UntilAsync(async () => (await app.Http.GetAsync("/api/orders/pg-order/summary")).IsSuccessStatusCode, "the summary row");
            JsonElement summary = await app.GetJsonAsync("/api/orders/pg-order/summary");
            Assert.Equal(n, summary.GetProperty("points").GetInt32());
            Assert.Equal(39, summary.GetProperty("durationSeconds").GetDouble(), 0.01);
            await HistoryTests.WaitGroupCaughtUpAsync(broker.BootstrapServers, GroupIds.History);
        }
        await HistoryTests.RewindGroupAsync(broker.BootstrapServers, GroupIds.History);
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest,history", o => o.PostgresConnectionString = pg.ConnectionString))
        {
            await HistoryTests.WaitGroupCaughtUpAsync(broker.BootstrapServers, GroupIds.History);
            Assert.Equal(n, await HistoryTests.RowsAsync(app));
            Assert.Equal(1, (await app.GetJsonAsync("/api/history/stats")).GetProperty("summaries").GetInt64());
        }
        Directory.Delete(dir, true);
    }

    [PostgresFact]
    public async Task TheStoreKeepsHostileTextAsDataAndDropsDuplicatesWithinABatch()
    {
        await using var pg = await PostgresServer.StartAsync();
        await using var store = new PostgresHistoryStore(pg.ConnectionString);
        await store.InitializeAsync(CancellationToken.None);
        string hostile = "r'); DROP TABLE positions; --";
        var update = new RiderUpdate(hostile, "o'1", "south", 48.1, 11.5, null, null, 1000, 1, 1000);
        // a replayed update is dropped; another update in the same millisecond (another seq) is kept
            Assert.Equal(3, await store.WriteBatchAsync([update, update, update with { Ts = 2000, Seq = 2 }, update with { Seq = 3 }], CancellationToken.None));
        Assert.Equal(0, await store.WriteBatchAsync([update], CancellationToken.None));
        var rows = await store.QueryAsync(hostile, 0, long.MaxValue, 10, CancellationToken.None);
        Assert.Equal([1000L, 1000, 2000], rows.Select(r => r.Ts));
        Assert.Equal("o'1", rows[0].OrderId);
        Assert.Null(rows[0].SpeedMps);
        Assert.Equal((3, 0), await store.CountAsync(CancellationToken.None));
    }
}
