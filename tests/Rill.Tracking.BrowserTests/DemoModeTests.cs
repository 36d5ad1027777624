using System.Net.Http.Json;
using Microsoft.Playwright;

namespace Rill.Tracking.BrowserTests;

[Collection(DemoAppCollection.Name)]
public sealed class DemoModeTests(DemoAppFixture app)
{
    [Fact]
    public async Task Support_page_needs_no_key_in_demo_mode_and_shows_the_simulated_riders_moving()
    {
        await using var session = await app.NewPageAsync();
        IPage page = session.Page;
        await page.GotoAsync(new Uri(app.BaseAddress, "/support.html").ToString());
        await PageHelpers.WaitForCityAsync(page);
        await PageHelpers.WaitForLiveAsync(page);
        Assert.False(await page.Locator("#key-dialog").IsVisibleAsync(), "demo mode asked for the operator key");

        // every simulated rider is drawn in the riders pane, and they move
        var riders = page.Locator("#map .leaflet-riders-pane path");
        await Wait.UntilAsync(async () => await riders.CountAsync() >= 8, PageHelpers.Timeout, "the 8 demo riders on the map");
        string before = await RiderPathsAsync(page);
        await Wait.UntilAsync(async () => await RiderPathsAsync(page) != before, PageHelpers.Timeout, "the demo riders to move");
        await Wait.UntilAsync(async () => await page.InnerTextAsync("#acked") is not ("—" or "0"), PageHelpers.Timeout, "acked updates in the stats");

        // search an order id: its rider is found; selecting it draws the route so far
        var orders = (await app.Api.GetFromJsonAsync<List<DemoOrder>>("/api/demo/orders"))!;
        var order = orders[0];
        await page.FillAsync("#search", order.OrderId);
        var hit = page.Locator($"#results li[data-rider='{order.RiderId}']");
        await hit.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        await hit.Locator("button").ClickAsync();
        await page.Locator("#detail-card").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        Assert.Equal(order.OrderId, await page.TextContentAsync("#detail-order"));
        await Wait.UntilAsync(async () => await page.Locator("#map .leaflet-overlay-pane path[stroke='#1d4ed8']").CountAsync() == 1, PageHelpers.Timeout, "the selected rider's route");

        await Screenshots.SaveAsync(page, "tracking-support.png");
        Assert.Empty(session.ExternalRequests);
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task Home_page_lists_the_demo_orders_and_their_links_open_the_customer_page()
    {
        await using var session = await app.NewPageAsync();
        IPage page = session.Page;
        await page.GotoAsync(app.BaseAddress.ToString());
        var links = page.Locator("#demo-orders a");
        await Wait.UntilAsync(async () => await links.CountAsync() >= 1, PageHelpers.Timeout, "the demo orders on the home page");
        await links.First.ClickAsync();
        await page.WaitForURLAsync("**/track.html?order=*");
        await PageHelpers.WaitForCityAsync(page);
        var marker = page.Locator("#rider-marker");
        await marker.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        string? lat = await marker.GetAttributeAsync("data-lat");
        string? lon = await marker.GetAttributeAsync("data-lon");
        await Wait.UntilAsync(async () => await marker.GetAttributeAsync("data-lat") != lat || await marker.GetAttributeAsync("data-lon") != lon,
            PageHelpers.Timeout, "the demo rider to move");
        Assert.Empty(session.ExternalRequests);
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task Every_page_fits_a_phone_screen_with_the_map_above_the_panel()
    {
        var orders = (await app.Api.GetFromJsonAsync<List<DemoOrder>>("/api/demo/orders"))!;
        string[] pages =
        [
            "/",
            new Uri(orders[0].TrackingUrl).PathAndQuery,
            "/restaurant.html",
            "/restaurant.html?id=" + Uri.EscapeDataString(orders[0].RestaurantId ?? (await app.RestaurantsAsync())[0].Id),
            "/support.html",
        ];
        await using var session = await app.NewPageAsync(width: 390, height: 844);
        IPage page = session.Page;
        foreach (string path in pages)
        {
            await page.GotoAsync(new Uri(app.BaseAddress, path).ToString());
            if (path != "/")
            {
                await PageHelpers.WaitForCityAsync(page);
                var map = (await page.Locator("#map").BoundingBoxAsync())!;
                var panel = (await page.Locator("aside.panel").BoundingBoxAsync())!;
                Assert.True(map.Width > 300, $"{path}: the map is {map.Width} px wide on a 390 px screen");
                Assert.True(panel.Y >= map.Y + map.Height, $"{path}: the panel is not below the map");
            }
            bool overflows = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
            Assert.False(overflows, $"{path} scrolls sideways on a 390 px screen");
        }
        Assert.Empty(session.ExternalRequests);
        Assert.Empty(session.ConsoleErrors);
    }

    private static Task<string> RiderPathsAsync(IPage page) =>
        page.EvalOnSelectorAllAsync<string>("#map .leaflet-riders-pane path", "ps => ps.map(p => p.getAttribute('d')).join('|')");

    private sealed record DemoOrder(string OrderId, string RiderId, string? RestaurantId, string TrackingUrl);
}
