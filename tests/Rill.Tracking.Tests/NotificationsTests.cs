using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;
using Rill.Tracking.Workers;

namespace Rill.Tracking.Tests;

public sealed class NotificationsTests
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static async Task<int> NearEventsAsync(string bootstrap, string orderId) =>
        (await TopicContents.ReadAllAsync(bootstrap, TopicNames.OrderEvents))
        .Select(r => TrackingJson.Deserialize<OrderEvent>(r.Value)!)
        .Count(e => e.OrderId == orderId && e.Type == OrderEvent.Near);

    [Fact]
    public async Task ExactlyOneNearEventPerOrderAcrossAWorkerRestartThatReplaysEverything()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-near-").FullName;
        await using var broker = await TestApp.StartBrokerAsync();
        var customer = new LatLon(48.15, 11.58);
        // 0.001 deg lat = 111 m: far, closer, inside (< 150 m), out to 200 m (inside the hysteresis band), in again, ...
        double[] offsets = [0.01, 0.005, 0.002, 0.001, 0.0018, 0.0009, 0.0005, 0.0019, 0.0004, 0.0];
        long ts = Now - 60_000;
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest,notifications"))
        {
            await app.CreateOrderAsync("near-1", "near-rider", new LatLon(48.10, 11.58), customer);
            await using var rider = await TestRider.ConnectAsync(app.BaseAddress, await app.RiderTokenAsync("near-rider", "north"));
            for (int i = 0; i < 5; i++)
            {
                await rider.SendAndReceiveAsync(TestRider.Frame("near-rider", customer.Lat + offsets[i], customer.Lon, ts + i * 1000, seq: i + 1, orderId: "near-1"));
            }
            await Wait.UntilAsync(async () => await NearEventsAsync(broker.BootstrapServers, "near-1") == 1, "the near event");
            Assert.Equal(1, app.App.Service<NotificationsWorker>().Produced);
        }
        // the worker dies; its group's commits are lost as well, so the restarted worker replays every update
        await HistoryTests.RewindGroupAsync(broker.BootstrapServers, GroupIds.Notifications);
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest,notifications"))
        {
            await using var rider = await TestRider.ConnectAsync(app.BaseAddress, await app.RiderTokenAsync("near-rider", "north"));
            for (int i = 5; i < offsets.Length; i++)
            {
                await rider.SendAndReceiveAsync(TestRider.Frame("near-rider", customer.Lat + offsets[i], customer.Lon, ts + i * 1000, seq: i + 1, orderId: "near-1"));
            }
            // a second order of the same rider gets its own, single event
            await app.CreateOrderAsync("near-2", "near-rider", new LatLon(48.10, 11.58), customer);
            await rider.SendAndReceiveAsync(TestRider.Frame("near-rider", customer.Lat, customer.Lon, ts + 20_000, seq: 20, orderId: "near-2"));
            await Wait.UntilAsync(async () => await NearEventsAsync(broker.BootstrapServers, "near-2") == 1, "the second order's near event");
            await HistoryTests.WaitGroupCaughtUpAsync(broker.BootstrapServers, GroupIds.Notifications);
            Assert.Equal(1, app.App.Service<NotificationsWorker>().Produced); // only near-2
        }
        Assert.Equal(1, await NearEventsAsync(broker.BootstrapServers, "near-1"));
        Assert.Equal(1, await NearEventsAsync(broker.BootstrapServers, "near-2"));
        Directory.Delete(dir, true);
    }
}
