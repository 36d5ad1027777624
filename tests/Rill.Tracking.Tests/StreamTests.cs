using System.Net;
using System.Text.Json;
using Rill.Hosting;
using Rill.Tracking.Orders;

namespace Rill.Tracking.Tests;

/// <summary>The customer, restaurant and support roles through their HTTP/SSE endpoints.</summary>
public sealed class StreamTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rill-tracking-stream-").FullName;
    private EmbeddedBroker _broker = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestApp.StartBrokerAsync();
        _app = await TestApp.StartAsync(_broker, _dir, "ingest,customer,restaurant,support", o => o.SilenceAlert = TimeSpan.FromSeconds(2));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static readonly LatLon Restaurant = new(48.14, 11.58);
    private static readonly LatLon Customer = new(48.15, 11.60);

    [Fact]
    public async Task ACustomerStreamCarriesOnlyItsOwnOrdersRider()
    {
        string tokenA = await _app.CreateOrderAsync("order-a", "rider-a", Restaurant, Customer);
        string tokenB = await _app.CreateOrderAsync("order-b", "rider-b", Restaurant, Customer);

        // the link of order B does not open order A
        var forbidden = await _app.Http.GetAsync($"/api/orders/order-a/stream?token={Uri.EscapeDataString(tokenB)}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        await using var stream = await SseReader.OpenAsync(new HttpClient { BaseAddress = _app.BaseAddress }, $"/api/orders/order-a/stream?token={Uri.EscapeDataString(tokenA)}");
        await using var a = await TestRider.ConnectAsync(_app.BaseAddress, await _app.RiderTokenAsync("rider-a", "center"));
        await using var b = await TestRider.ConnectAsync(_app.BaseAddress, await _app.RiderTokenAsync("rider-b", "center"));
        for (int i = 1; i <= 5; i++)
        {
            await b.SendAndReceiveAsync(TestRider.Frame("rider-b", 48.10, 11.50, Now, seq: i, orderId: "order-b", speed: 5));
            await a.SendAndReceiveAsync(TestRider.Frame("rider-a", 48.14 + i * 0.001, 11.58, Now, seq: i, orderId: "order-a", speed: 5));
        }
        var seen = new List<JsonElement>();
        var skipped = new List<(string, JsonElement)>();
        while (seen.Count == 0 || seen[^1].GetProperty("lat").GetDouble() < 48.1449)
        {
            seen.Add(await stream.NextAsync("position", skipped));
        }
        Assert.All(seen, p => Assert.Equal("rider-a", p.GetProperty("riderId").GetString()));
        Assert.All(seen, p => Assert.True(p.GetProperty("etaSeconds").GetInt32() > 0));
        Assert.Empty(skipped);

        var delivered = await _app.Http.PostAsync("/api/orders/order-a/delivered", null);
        delivered.EnsureSuccessStatusCode();
        Assert.Equal("order-a", (await stream.NextAsync("delivered")).GetProperty("orderId").GetString());
        Assert.DoesNotContain(stream.Drain(), e => e.Data.TryGetProperty("riderId", out var r) && r.GetString() == "rider-b");
    }

    [Fact]
    public async Task ARestaurantSeesItsIncomingRiderWithAnEtaAndItsArrival()
    {
        await _app.CreateOrderAsync("order-r", "rider-r", Restaurant, Customer, restaurantId: "rest-1");
        await using var stream = await SseReader.OpenAsync(_app.Http, "/api/restaurants/rest-1/stream");
        await using var rider = await TestRider.ConnectAsync(_app.BaseAddress, await _app.RiderTokenAsync("rider-r", "center"));
        await rider.SendAndReceiveAsync(TestRider.Frame("rider-r", 48.13, 11.58, Now, seq: 1, orderId: "order-r", speed: 5));
        JsonElement incoming = await stream.NextAsync("incoming");
        Assert.Equal("order-r", incoming.GetProperty("orderId").GetString());
        int eta = incoming.GetProperty("etaSeconds").GetInt32();
        Assert.InRange(eta, 1112 / 5 - 5, 5000 / 5); // at least the straight line (~1.1 km) at 5 m/s
        await rider.SendAndReceiveAsync(TestRider.Frame("rider-r", 48.1401, 11.5801, Now, seq: 2, orderId: "order-r", speed: 5));
        Assert.Equal("rider-r", (await stream.NextAsync("arrived")).GetProperty("riderId").GetString());
        (await _app.Http.PostAsync("/api/orders/order-r/picked-up", null)).EnsureSuccessStatusCode();
        Assert.Equal("order-r", (await stream.NextAsync("gone")).GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task SupportFindsARiderWithItsRouteAndAlertsWhenItGoesSilent()
    {
        await _app.CreateOrderAsync("order-s", "rider-s", Restaurant, Customer);
        await using var stream = await SseReader.OpenAsync(_app.Http, "/api/support/stream");
        await using (var rider = await TestRider.ConnectAsync(_app.BaseAddress, await _app.RiderTokenAsync("rider-s", "north")))
        {
            for (int i = 1; i <= 3; i++)
            {
                await rider.SendAndReceiveAsync(TestRider.Frame("rider-s", 48.14 + i * 0.001, 11.58, Now, seq: i, orderId: "order-s"));
            }
        }
        await Wait.UntilAsync(async () => (await _app.GetJsonAsync("/api/support/riders?q=order-s")).GetArrayLength() == 1, "support to know the rider");
        JsonElement found = (await _app.GetJsonAsync("/api/support/riders?q=RIDER-S"))[0];
        Assert.Equal("north", found.GetProperty("region").GetString());
        Assert.Equal("order-s", found.GetProperty("orderId").GetString());
        await Wait.UntilAsync(async () => (await _app.GetJsonAsync("/api/support/riders/rider-s")).GetProperty("route").GetArrayLength() == 3, "the route");
        JsonElement alert = await stream.NextAsync("alert");
        Assert.Equal("rider-s", alert.GetProperty("riderId").GetString());
        Assert.True(alert.GetProperty("silentSeconds").GetInt32() >= 2);
        JsonElement stats = await stream.NextAsync("stats");
        Assert.True(stats.GetProperty("acked").GetInt64() >= 3);
        Assert.True(stats.GetProperty("lag").TryGetProperty("tracking-support", out _));
    }
}
