using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Hosting;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;
using Rill.Tracking.Stats;
using Rill.Tracking.Workers;

namespace Rill.Tracking.Tests;

/// <summary>
/// Positions still in flight when the rider posts `delivered` (issue 11's count test lost 3.8 % of the watched
/// positions this way): the customer gets every position sent before delivery, once, in order.
/// </summary>
public sealed class DeliveryRaceTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rill-tracking-race-").FullName;
    private EmbeddedBroker _broker = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestApp.StartBrokerAsync();
        _app = await TestApp.StartAsync(_broker, _dir, "ingest,customer");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task EveryPositionSentBeforeDeliveredReachesTheCustomerOnceAndInOrder()
    {
        const int Count = 40;
        string token = await _app.CreateOrderAsync("order-race", "rider-race", new LatLon(48.14, 11.58), new LatLon(48.15, 11.60));
        await using var stream = await SseReader.OpenAsync(new HttpClient { BaseAddress = _app.BaseAddress }, $"/api/orders/order-race/stream?token={Uri.EscapeDataString(token)}");
        await using var rider = await TestRider.ConnectAsync(_app.BaseAddress, await _app.RiderTokenAsync("rider-race", "center"));
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 10_000;
        var sent = new List<long>();
        for (int i = 1; i <= Count; i++)
        {
            sent.Add(t0 + i);
            // pipelined, as a phone on a good connection does: no waiting for acks before `delivered`
            await rider.SendTextAsync(TestRider.Frame("rider-race", 48.14 + i * 0.0001, 11.58, t0 + i, seq: i, orderId: "order-race", speed: 5));
        }
        (await _app.Http.PostAsync("/api/orders/order-race/delivered", null)).EnsureSuccessStatusCode();
        for (int i = 0; i < Count; i++)
        {
            Assert.True((await rider.ReceiveAsync())?.TryGetProperty("ack", out _), "an ack");
        }

        var received = new List<long>();
        var skipped = new List<(string Name, JsonElement Data)>();
        while (received.Count == 0 || received[^1] < sent[^1])
        {
            received.Add((await stream.NextAsync("position", skipped)).GetProperty("ts").GetInt64());
        }
        await Wait.UntilAsync(async () => (await _app.GetJsonAsync("/api/stats")).GetProperty("processed").TryGetProperty("tracking-customer", out var n) && n.GetInt64() >= Count,
            "the customer group to report what it processed");
        var drained = stream.Drain();
        received.AddRange(drained.Where(e => e.Name == "position").Select(e => e.Data.GetProperty("ts").GetInt64()));
        Assert.Equal(sent, received);
        // `delivered` comes from the order book, not the position stream: it may reach the page before or after
        // the last position (on a loaded machine the positions can win), but it must come.
        if (!skipped.Concat(drained).Any(e => e.Name == "delivered"))
        {
            await stream.NextAsync("delivered");
        }
    }

    [Fact]
    public async Task ADeliveredOrdersStreamDoesNotShowTheRidersNextOrderOnConnect()
    {
        var restaurant = new LatLon(48.14, 11.58);
        var customer = new LatLon(48.15, 11.60);
        string token1 = await _app.CreateOrderAsync("order-first", "rider-next", restaurant, customer);
        await using var rider = await TestRider.ConnectAsync(_app.BaseAddress, await _app.RiderTokenAsync("rider-next", "center"));
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await rider.SendAndReceiveAsync(TestRider.Frame("rider-next", 48.141, 11.58, now - 5_000, seq: 1, orderId: "order-first", speed: 5));
        (await _app.Http.PostAsync("/api/orders/order-first/delivered", null)).EnsureSuccessStatusCode();

        string token2 = await _app.CreateOrderAsync("order-second", "rider-next", restaurant, customer);
        await using (var second = await SseReader.OpenAsync(new HttpClient { BaseAddress = _app.BaseAddress }, $"/api/orders/order-second/stream?token={Uri.EscapeDataString(token2)}"))
        {
            long ts2 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_000;
            await rider.SendAndReceiveAsync(TestRider.Frame("rider-next", 48.142, 11.58, ts2, seq: 2, orderId: "order-second", speed: 5));
            while ((await second.NextAsync("position")).GetProperty("ts").GetInt64() != ts2)
            {
            }
        }

        // the first order's customer reloads the page: delivered, and no position of the second order
        await using var first = await SseReader.OpenAsync(new HttpClient { BaseAddress = _app.BaseAddress }, $"/api/orders/order-first/stream?token={Uri.EscapeDataString(token1)}");
        var before = new List<(string Name, JsonElement Data)>();
        await first.NextAsync("delivered", before);
        Assert.DoesNotContain(before, e => e.Name == "position" && e.Data.GetProperty("ts").GetInt64() > now);
    }
}

public sealed class OrderSentForTests
{
    private static RiderUpdate Update(string? orderId, long ts, long receivedTs) =>
        new("rider-1", orderId, "center", 48.1, 11.5, 5, null, ts, null, receivedTs);

    private static OrderBook DeliveredAt(long deliveredTs)
    {
        var book = new OrderBook(null!, NullLogger<OrderBook>.Instance);
        book.Apply(new OrderEvent(OrderEvent.Assigned, "o1", 1_000, "rider-1", null, new LatLon(48.1, 11.5), new LatLon(48.2, 11.6)));
        book.Apply(new OrderEvent(OrderEvent.Delivered, "o1", deliveredTs, "rider-1"));
        return book;
    }

    [Fact]
    public void APositionSentBeforeDeliveredBelongsToTheOrderEvenWhenItIsConsumedAfterIt()
    {
        var book = DeliveredAt(5_000);
        Assert.Equal("o1", CustomerWorker.OrderSentFor(book, Update("o1", 4_999, 5_020))?.OrderId);
        // without an order id: the rider's last order, by the same rule
        Assert.Equal("o1", CustomerWorker.OrderSentFor(book, Update(null, 4_000, 4_001))?.OrderId);
        // the phone's clock behind the app's: received before delivered counts too
        Assert.Equal("o1", CustomerWorker.OrderSentFor(book, Update("o1", 6_000, 4_990))?.OrderId);
    }

    [Fact]
    public void APositionSentAfterDeliveredDoesNot()
    {
        var book = DeliveredAt(5_000);
        Assert.Null(CustomerWorker.OrderSentFor(book, Update("o1", 5_001, 5_002)));
        Assert.Null(CustomerWorker.OrderSentFor(book, Update(null, 5_001, 5_002)));
        Assert.Null(CustomerWorker.OrderSentFor(book, new RiderUpdate("rider-2", "o1", "center", 48.1, 11.5, 5, null, 4_000, null, 4_000)));
    }

    [Fact]
    public void GroupCountersCountPerGroup()
    {
        var counters = new GroupCounters();
        var customer = counters.For("tracking-customer");
        customer.Add(2);
        counters.For("tracking-customer").Add(1);
        counters.For("tracking-history").Add(5);
        Assert.Equal(3, counters.Snapshot()["tracking-customer"]);
        Assert.Equal(5, counters.Snapshot()["tracking-history"]);
    }
}
