using Microsoft.Playwright;
using Rill.Tracking.City;

namespace Rill.Tracking.BrowserTests;

internal static class PageHelpers
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Waits until the city's roads are drawn as vector paths in #map (no tiles anywhere).</summary>
    public static Task WaitForCityAsync(IPage page) =>
        Wait.UntilAsync(async () => await page.Locator("#map .leaflet-overlay-pane path").CountAsync() > 10, Timeout, "the city's roads drawn in #map");

    /// <summary>Waits until the page's SSE stream is open (#conn says live).</summary>
    public static Task WaitForLiveAsync(IPage page) =>
        Wait.UntilAsync(async () => await page.GetAttributeAsync("#conn", "data-state") == "live", Timeout, "the page's event stream to be live");

    /// <summary>Answers the page's operator key dialog.</summary>
    public static async Task EnterOperatorKeyAsync(IPage page, string key)
    {
        await page.Locator("#key-dialog").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = (float)Timeout.TotalMilliseconds });
        await page.FillAsync("#operator-key", key);
        await page.PressAsync("#operator-key", "Enter");
        await page.Locator("#key-dialog").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Hidden, Timeout = (float)Timeout.TotalMilliseconds });
    }

    /// <summary>Positions along a road route, one every <paramref name="stepMeters"/> (both ends included).</summary>
    public static List<(double Lat, double Lon)> Along(Route route, double stepMeters)
    {
        var points = new List<(double Lat, double Lon)>();
        for (double m = 0; m < route.LengthMeters; m += stepMeters)
        {
            var p = route.At(m).Point;
            points.Add((p.Lat, p.Lon));
        }
        points.Add((route.End.Lat, route.End.Lon));
        return points;
    }

    /// <summary>Points from a to b in equal steps (both ends included).</summary>
    public static IEnumerable<(double Lat, double Lon)> Line((double Lat, double Lon) a, (double Lat, double Lon) b, int steps)
    {
        for (int i = 0; i <= steps; i++)
        {
            double f = (double)i / steps;
            yield return (a.Lat + (b.Lat - a.Lat) * f, a.Lon + (b.Lon - a.Lon) * f);
        }
    }
}
