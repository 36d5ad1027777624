using System.Net;
using System.Text.Json;

namespace Rill.Tracking.Tests;

public sealed class DemoTests
{
    [Fact]
    public async Task DemoRidersMoveThroughTheRealIngestAndNoOperatorKeyIsNeeded()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-demo-").FullName;
        await using var broker = await TestApp.StartBrokerAsync();
        await using (var app = await TestApp.StartAsync(broker, dir, configure: o =>
        {
            o.Demo = true;
            o.DemoRiders = 2;
        }))
        {
            using var anonymous = new HttpClient { BaseAddress = app.BaseAddress };
            JsonElement orders = default;
            await Wait.UntilAsync(async () =>
            {
                orders = JsonDocument.Parse(await anonymous.GetStringAsync("/api/demo/orders")).RootElement.Clone();
                return orders.GetArrayLength() == 2;
            }, "two demo orders");
            string trackingUrl = orders[0].GetProperty("trackingUrl").GetString()!;
            string riderId = orders[0].GetProperty("riderId").GetString()!;
            var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(trackingUrl).Query);
            Assert.Equal(orders[0].GetProperty("orderId").GetString(), query["order"].ToString());
            await using var stream = await SseReader.OpenAsync(anonymous,
                $"/api/orders/{Uri.EscapeDataString(query["order"].ToString())}/stream?token={Uri.EscapeDataString(query["token"].ToString())}");
            JsonElement first = await stream.NextAsync("position");
            JsonElement second = await stream.NextAsync("position");
            Assert.Equal(riderId, first.GetProperty("riderId").GetString());
            Assert.True(second.GetProperty("ts").GetInt64() > first.GetProperty("ts").GetInt64());
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/support/riders")).StatusCode);
            Assert.True((await app.GetJsonAsync("/api/config")).GetProperty("demo").GetBoolean());
        }
        Directory.Delete(dir, true);
    }
}
