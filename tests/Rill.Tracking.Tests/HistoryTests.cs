using System.Text.Json;
using Rill.Client;
using Rill.Hosting;
using Rill.Tracking.Hosting;
using Rill.Tracking.History;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;
using Rill.Tracking.Workers;

namespace Rill.Tracking.Tests;

/// <summary>The history group writing to SQLite (the PostgreSQL store has its own tests).</summary>
public sealed class HistoryTests
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    internal static async Task SendAsync(TestApp app, string riderId, int count, long startTs, string? orderId = null, string region = "south")
    {
        await using var rider = await TestRider.ConnectAsync(app.BaseAddress, await app.RiderTokenAsync(riderId, region));
        for (int i = 0; i < count; i++)
        {
            await rider.SendTextAsync(TestRider.Frame(riderId, 48.12 + i * 0.0005, 11.58, startTs + i * 1000, seq: i + 1, orderId: orderId, speed: 5));
        }
        for (int i = 0; i < count; i++)
        {
            JsonElement? answer = await rider.ReceiveAsync();
            Assert.True(answer?.TryGetProperty("ack", out _), answer?.ToString());
        }
    }

    internal static async Task<long> RowsAsync(TestApp app) => (await app.GetJsonAsync("/api/history/stats")).GetProperty("rows").GetInt64();

    /// <summary>Sets the group's committed offsets back to the start, as if every commit had been lost in a crash.</summary>
    internal static async Task RewindGroupAsync(string bootstrap, string group)
    {
        await using var admin = new AdminClient(new AdminClientConfig { BootstrapServers = bootstrap });
        var described = await admin.DescribeTopicsAsync([TopicNames.RiderUpdates]);
        await admin.AlterGroupOffsetsAsync(group, described[0].Partitions.Select(p => new TopicPartitionOffset(TopicNames.RiderUpdates, p.Partition, 0)));
    }

    internal static async Task WaitGroupCaughtUpAsync(string bootstrap, string group)
    {
        await using var admin = new AdminClient(new AdminClientConfig { BootstrapServers = bootstrap });
        var described = await admin.DescribeTopicsAsync([TopicNames.RiderUpdates]);
        var partitions = described[0].Partitions.Select(p => new TopicPartition(TopicNames.RiderUpdates, p.Partition)).ToList();
        var ends = await admin.ListOffsetsAsync(partitions.Select(p => (p, Offsets.Latest)));
        await Wait.UntilAsync(async () =>
        {
            var committed = await admin.ListGroupOffsetsAsync(group);
            return partitions.All(p => ends[p] == 0 || (committed.TryGetValue(p, out long c) && c >= ends[p]));
        }, $"group {group} to commit up to the end");
    }

    [Fact]
    public async Task NUpdatesMakeNRowsAndAReplayAfterARestartWritesNoDuplicates()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-history-").FullName;
        await using var broker = await TestApp.StartBrokerAsync();
        const int n = 60;
        long start = Now - 100_000;
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest,history"))
        {
            await SendAsync(app, "hist-1", n, start);
            await Wait.UntilAsync(async () => await RowsAsync(app) == n, $"{n} history rows");
            var rows = await app.GetJsonAsync($"/api/riders/hist-1/history?from={start}&to={start + 10_000}");
            Assert.Equal(11, rows.GetArrayLength());
            var ts = rows.EnumerateArray().Select(r => r.GetProperty("ts").GetInt64()).ToList();
            Assert.Equal(ts.Order().ToList(), ts);
            Assert.Equal(1, rows[0].GetProperty("seq").GetInt64());
            await WaitGroupCaughtUpAsync(broker.BootstrapServers, GroupIds.History);
        }
        // a crash that lost every commit: the group reads everything again
        await RewindGroupAsync(broker.BootstrapServers, GroupIds.History);
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest,history"))
        {
            await SendAsync(app, "hist-2", 5, start);
            await WaitGroupCaughtUpAsync(broker.BootstrapServers, GroupIds.History);
            Assert.Equal(n + 5, await RowsAsync(app));
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ADeliveredOrderGetsOneSummaryRow()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-summary-").FullName;
        await using var broker = await TestApp.StartBrokerAsync();
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest,history"))
        {
            await app.CreateOrderAsync("sum-1", "sum-rider", new LatLon(48.12, 11.58), new LatLon(48.13, 11.58));
            long start = Now - 30_000;
            await SendAsync(app, "sum-rider", 11, start, orderId: "sum-1"); // 10 hops of 0.0005 deg lat (~55.6 m) in 10 s
            await Wait.UntilAsync(async () => await RowsAsync(app) == 11, "11 rows");
            (await app.Http.PostAsync("/api/orders/sum-1/delivered", null)).EnsureSuccessStatusCode();
            await Wait.UntilAsync(async () => (await app.Http.GetAsync("/api/orders/sum-1/summary")).IsSuccessStatusCode, "the order summary");
            JsonElement s = await app.GetJsonAsync("/api/orders/sum-1/summary");
            Assert.Equal(556, s.GetProperty("routeMeters").GetDouble(), 2.0);
            Assert.Equal(10, s.GetProperty("durationSeconds").GetDouble(), 0.01);
            Assert.Equal(55.6, s.GetProperty("averageSpeedMps").GetDouble(), 0.2);
            Assert.Equal(11, s.GetProperty("points").GetInt32());
            // delivering again does not add a second summary
            (await app.Http.PostAsync("/api/orders/sum-1/delivered", null)).EnsureSuccessStatusCode();
            Assert.Equal(1, (await app.GetJsonAsync("/api/history/stats")).GetProperty("summaries").GetInt64());
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task TheSqliteStoreKeepsHostileTextAsDataAndDropsDuplicates()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-sqlite-").FullName;
        await using (var store = new SqliteHistoryStore(Path.Combine(dir, "h.db")))
        {
            await store.InitializeAsync(CancellationToken.None);
            string hostile = "r'); DROP TABLE positions; --";
            var update = new RiderUpdate(hostile, "o'1", "south", 48.1, 11.5, null, null, 1000, 1, 1000);
            // a replayed update is dropped; another update in the same millisecond (another seq) is kept
            Assert.Equal(3, await store.WriteBatchAsync([update, update, update with { Ts = 2000, Seq = 2 }, update with { Seq = 3 }], CancellationToken.None));
            Assert.Equal(0, await store.WriteBatchAsync([update], CancellationToken.None));
            var rows = await store.QueryAsync(hostile, 0, long.MaxValue, 10, CancellationToken.None);
            Assert.Equal([1000L, 1000, 2000], rows.Select(r => r.Ts));
            Assert.Equal("o'1", rows[0].OrderId);
            Assert.Equal((3, 0), await store.CountAsync(CancellationToken.None));
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task ASecondHistoryInstanceJoiningTheGroupLosesNothing()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-rebalance-").FullName;
        await using var broker = await TestApp.StartBrokerAsync();
        long start = Now - 200_000;
        await using var first = await TestApp.StartAsync(broker, dir, "ingest,history");
        await SendAsync(first, "reb-1", 40, start);
        await SendAsync(first, "reb-2", 40, start, region: "north");
        // the second instance shares the SQLite file; the group now splits the partitions between the two
        await using (var second = await TestApp.StartAsync(broker, dir, "history"))
        {
            await using var admin = new AdminClient(new AdminClientConfig { BootstrapServers = broker.BootstrapServers });
            await Wait.UntilAsync(async () => (await admin.DescribeGroupAsync(GroupIds.History)).Members.Count(m => m.Assignment.Count > 0) == 2,
                "both instances to own partitions");
            await SendAsync(first, "reb-1", 40, start + 40_000);
            await SendAsync(first, "reb-3", 40, start, region: "north");
            await WaitGroupCaughtUpAsync(broker.BootstrapServers, GroupIds.History);
            Assert.True(second.App.Service<HistoryWorker>().RowsWritten > 0, "the second instance wrote its partitions' rows");
        }
        Assert.Equal(160, await RowsAsync(first));
        Directory.Delete(dir, true);
    }
}
