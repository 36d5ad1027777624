using Microsoft.Playwright;
using Rill.Tracking.City;
using CityGeo = Rill.Tracking.City.Geo;

namespace Rill.Tracking.BrowserTests;

[Collection(TrackingAppCollection.Name)]
public sealed class RestaurantPageTests(TrackingAppFixture app)
{
    [Fact]
    public async Task Restaurant_page_lists_an_incoming_rider_with_eta_then_its_arrival()
    {
        const string riderId = "rider-restaurant-1";
        const string orderId = "order-restaurant-1";
        var restaurant = (await app.RestaurantsAsync())[^1];

        await using var session = await app.NewPageAsync();
        IPage page = session.Page;
        await page.GotoAsync(new Uri(app.BaseAddress, "/restaurant.html?id=" + Uri.EscapeDataString(restaurant.Id)).ToString());
        await PageHelpers.EnterOperatorKeyAsync(page, TrackingAppFixture.OperatorKey);
        await PageHelpers.WaitForCityAsync(page);
        await PageHelpers.WaitForLiveAsync(page);
        Assert.Equal(restaurant.Name, await page.InnerTextAsync("#title"));

        string token = await app.CreateRiderAsync(riderId, "center");
        await app.CreateOrderAsync(orderId, riderId, restaurant, (restaurant.Lat + 0.01, restaurant.Lon + 0.01));
        await using var rider = await RiderDriver.ConnectAsync(app.BaseAddress, riderId, token);
        // from a customer's address about 1 km away along the roads to the restaurant
        var at = new GeoPoint(restaurant.Lat, restaurant.Lon);
        var origin = app.City.Addresses.MinBy(a => Math.Abs(CityGeo.DistanceMeters(at, a.Location) - 1000))!;
        var route = PageHelpers.Along(app.City.RouteBetween(origin.Location, at), stepMeters: 100);

        await rider.SendAsync(route[0].Lat, route[0].Lon, orderId);
        var row = page.Locator($"#incoming tr[data-order='{orderId}']");
        await row.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        Assert.Contains(riderId, await row.InnerTextAsync());
        Assert.Contains("on the way", await row.InnerTextAsync());
        Assert.Contains("min", await row.Locator("td.num").InnerTextAsync());

        for (int i = 1; i < route.Count - 1; i++)
        {
            await rider.SendAsync(route[i].Lat, route[i].Lon, orderId);
            if (i == route.Count / 2)
            {
                await Wait.UntilAsync(async () => await row.Locator("td.num").InnerTextAsync() != "—", PageHelpers.Timeout, "the ETA half-way");
                await Screenshots.SaveAsync(page, "tracking-restaurant.png");
            }
        }
        await rider.SendAsync(route[^1].Lat, route[^1].Lon, orderId);
        await Wait.UntilAsync(async () => (await row.InnerTextAsync()).Contains("arrived"), PageHelpers.Timeout, "the arrival");
        Assert.Contains(riderId, await page.InnerTextAsync("#events"));

        Assert.Empty(session.ExternalRequests);
        Assert.Empty(session.ConsoleErrors);
    }
}
