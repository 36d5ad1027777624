using System.Globalization;
using Microsoft.Playwright;
using Rill.Tracking.City;
using CityGeo = Rill.Tracking.City.Geo;

namespace Rill.Tracking.BrowserTests;

[Collection(TrackingAppCollection.Name)]
public sealed class CustomerPageTests(TrackingAppFixture app)
{
    [Fact]
    public async Task Customer_page_shows_the_rider_moving_then_the_near_banner()
    {
        const string riderId = "rider-customer-1";
        const string orderId = "order-customer-1";
        // from a restaurant along the roads to a customer's address about 1.5 km away
        var restaurant = (await app.RestaurantsAsync())[0];
        var from = new GeoPoint(restaurant.Lat, restaurant.Lon);
        var door = app.City.Addresses.MinBy(a => Math.Abs(CityGeo.DistanceMeters(from, a.Location) - 1500))!;
        var customer = (door.Lat, door.Lon);
        string riderToken = await app.CreateRiderAsync(riderId, "center");
        var order = await app.CreateOrderAsync(orderId, riderId, restaurant, customer);
        Assert.Contains("/track.html?order=", order.TrackingUrl);
        // the rider has the food: from here the ETA is to the customer's door (before pick-up it goes via the restaurant)
        // (retried while the order book has not consumed the new order yet: 404 until then)
        await Wait.UntilAsync(async () => (await app.Api.PostAsync($"/api/orders/{orderId}/picked-up", null)).IsSuccessStatusCode, PageHelpers.Timeout, "the pick-up to be accepted");

        await using var session = await app.NewPageAsync();
        IPage page = session.Page;
        await page.GotoAsync(order.TrackingUrl);
        await PageHelpers.WaitForCityAsync(page);
        await PageHelpers.WaitForLiveAsync(page);
        Assert.Equal(orderId, await page.InnerTextAsync("#order-id"));
        Assert.True(await page.Locator("#near-banner").IsHiddenAsync(), "the near banner shows before the rider is near");

        await using var rider = await RiderDriver.ConnectAsync(app.BaseAddress, riderId, riderToken);
        var route = PageHelpers.Along(app.City.RouteBetween(from, door.Location), stepMeters: 60);

        // first position: the marker appears
        await rider.SendAsync(route[0].Lat, route[0].Lon, orderId);
        var marker = page.Locator("#rider-marker");
        await marker.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        var first = await Wait.UntilAsync(() => marker.BoundingBoxAsync(), PageHelpers.Timeout, "the rider marker's box");

        // a few more positions: the marker moves on the screen
        for (int i = 1; i <= 3; i++)
        {
            await rider.SendAsync(route[i].Lat, route[i].Lon, orderId);
        }
        await Wait.UntilAsync(async () =>
        {
            var box = await marker.BoundingBoxAsync();
            return box is not null && (Math.Abs(box.X - first.X) > 2 || Math.Abs(box.Y - first.Y) > 2);
        }, PageHelpers.Timeout, "the rider marker to move on the map");
        await Wait.UntilAsync(async () => Close(await marker.GetAttributeAsync("data-lat"), route[3].Lat), PageHelpers.Timeout, "the marker at the last position sent");
        Assert.NotEqual("—", await page.InnerTextAsync("#eta"));

        // drive on to the customer's door: the geofence fires "near" and the banner shows
        for (int i = 4; i < route.Count; i++)
        {
            await rider.SendAsync(route[i].Lat, route[i].Lon, orderId);
            await Task.Delay(100); // a visible pace, not a wait for a condition
        }
        await page.Locator("#near-banner").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        Assert.Contains("Your rider is near", await page.InnerTextAsync("#near-banner"));
        await Wait.UntilAsync(async () => await page.InnerTextAsync("#eta") is "< 1 min" or "1 min", PageHelpers.Timeout, "an ETA of about a minute at the door");

        await Screenshots.SaveAsync(page, "tracking-customer.png");

        // the order is delivered: the page says so and stops following the rider
        (await app.Api.PostAsync($"/api/orders/{orderId}/delivered", null)).EnsureSuccessStatusCode();
        await page.Locator("#delivered-banner").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        Assert.Equal("Delivered", await page.InnerTextAsync("#eta"));
        Assert.True(await page.Locator("#near-banner").IsHiddenAsync(), "the near banner stays up after delivery");

        Assert.Empty(session.ExternalRequests);
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task Customer_page_with_a_forged_token_says_the_link_is_invalid()
    {
        await using var session = await app.NewPageAsync();
        IPage page = session.Page;
        await page.GotoAsync(new Uri(app.BaseAddress, "/track.html?order=order-customer-1&token=forged").ToString());
        await page.Locator("#error").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        Assert.Contains("not valid", await page.InnerTextAsync("#error"));
        Assert.Equal(0, await page.Locator("#rider-marker").CountAsync());
    }

    private static bool Close(string? text, double expected) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && Math.Abs(v - expected) < 1e-9;
}
