using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Rill.Tracking.BrowserTests;

[Collection(TrackingAppCollection.Name)]
public sealed class SupportPageTests(TrackingAppFixture app)
{
    [Fact]
    public async Task Support_page_asks_for_the_operator_key_and_finds_a_rider_by_search()
    {
        const string riderId = "courier-findme-42";
        var restaurant = (await app.RestaurantsAsync())[0];
        string token = await app.CreateRiderAsync(riderId, "north");
        await using (var rider = await RiderDriver.ConnectAsync(app.BaseAddress, riderId, token))
        {
            foreach (var (lat, lon) in PageHelpers.Line((restaurant.Lat, restaurant.Lon), (restaurant.Lat + 0.004, restaurant.Lon), 4))
            {
                await rider.SendAsync(lat, lon, orderId: null);
            }
        }
        // the support group has consumed the rider once the API knows it (the page is asked below)
        await Wait.UntilAsync(async () =>
            (await app.Api.GetFromJsonAsync<List<RiderRow>>("/api/support/riders?q=findme"))!.Any(r => r.RiderId == riderId),
            PageHelpers.Timeout, "the support group to know the rider");

        await using var session = await app.NewPageAsync();
        IPage page = session.Page;
        await page.GotoAsync(new Uri(app.BaseAddress, "/support.html").ToString());
        await PageHelpers.EnterOperatorKeyAsync(page, TrackingAppFixture.OperatorKey);
        await PageHelpers.WaitForCityAsync(page);
        await PageHelpers.WaitForLiveAsync(page);

        await page.FillAsync("#search", "findme");
        var hit = page.Locator($"#results li[data-rider='{riderId}']");
        await hit.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        Assert.Contains(riderId, await page.InnerTextAsync("#results"));

        await page.FillAsync("#search", "no-such-rider-anywhere");
        await Wait.UntilAsync(async () => (await page.InnerTextAsync("#results")).Contains("Nothing matches"), PageHelpers.Timeout, "the empty search result");

        await page.FillAsync("#search", "findme");
        await hit.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        await hit.Locator("button").ClickAsync();
        await page.Locator("#detail-card").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        Assert.Equal(riderId, await page.TextContentAsync("#detail-rider"));
        Assert.Equal("north", await page.TextContentAsync("#detail-region"));

        // the stats events fill throughput and the lag table
        await Wait.UntilAsync(async () => await page.InnerTextAsync("#acked") != "—", PageHelpers.Timeout, "the stats event");
        await Wait.UntilAsync(async () => (await page.InnerTextAsync("#lag")).Contains("tracking-"), PageHelpers.Timeout, "lag per consumer group");

        Assert.Empty(session.ExternalRequests);
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task Support_page_alerts_when_a_rider_on_an_active_order_goes_silent()
    {
        const string riderId = "rider-goes-quiet";
        const string orderId = "order-quiet-1";
        await using var session = await app.NewPageAsync();
        IPage page = session.Page;
        await page.GotoAsync(new Uri(app.BaseAddress, "/support.html").ToString());
        await PageHelpers.EnterOperatorKeyAsync(page, TrackingAppFixture.OperatorKey);
        await PageHelpers.WaitForLiveAsync(page);

        var restaurant = (await app.RestaurantsAsync())[1];
        string token = await app.CreateRiderAsync(riderId, "east");
        await app.CreateOrderAsync(orderId, riderId, restaurant, (restaurant.Lat + 0.005, restaurant.Lon));
        await using (var rider = await RiderDriver.ConnectAsync(app.BaseAddress, riderId, token))
        {
            await rider.SendAsync(restaurant.Lat, restaurant.Lon, orderId);
        }
        // then nothing: after the (shortened) silence threshold the alert names the rider and its order
        await Wait.UntilAsync(async () => (await page.InnerTextAsync("#alerts")).Contains(riderId), TimeSpan.FromSeconds(30), "the silence alert");
        string alerts = await page.InnerTextAsync("#alerts");
        Assert.Contains(orderId, alerts);
        Assert.Contains("silent", alerts);
    }

    [Fact]
    public async Task A_wrong_operator_key_is_asked_again_and_the_right_one_opens_the_page()
    {
        await using var session = await app.NewPageAsync();
        IPage page = session.Page;
        await page.GotoAsync(new Uri(app.BaseAddress, "/support.html").ToString());
        await page.Locator("#key-dialog").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        await page.FillAsync("#operator-key", "not-the-key");
        await page.PressAsync("#operator-key", "Enter");
        // the API answers 401 and the dialog comes back saying so
        await Wait.UntilAsync(async () => (await page.InnerTextAsync("#key-note")).Contains("not accepted"), PageHelpers.Timeout, "the key to be refused");
        Assert.True(await page.Locator("#key-dialog").IsVisibleAsync());
        Assert.Equal("connecting…", await page.InnerTextAsync("#conn"));

        await PageHelpers.EnterOperatorKeyAsync(page, TrackingAppFixture.OperatorKey);
        await PageHelpers.WaitForLiveAsync(page);
        Assert.Empty(session.ExternalRequests);
    }

    private sealed record RiderRow(string RiderId, string? Region, string? OrderId);
}
