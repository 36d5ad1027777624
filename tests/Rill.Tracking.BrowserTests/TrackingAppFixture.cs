using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Rill.Tracking.Geo;
using Rill.Tracking.Hosting;
using CityModel = Rill.Tracking.City.City;

namespace Rill.Tracking.BrowserTests;

/// <summary>
/// The real tracking app, started in-process on a free port (port 0) with its embedded Rill broker,
/// plus one headless Debian chromium driven by Playwright. Shared by the tests of a collection;
/// everything is torn down at the end.
/// </summary>
public abstract class AppFixture : IAsyncLifetime
{
    public const string OperatorKey = "browser-test-operator-key";

    /// <summary>Command-line arguments beyond --urls and --data.</summary>
    protected abstract string[] Arguments { get; }

    /// <summary>Options the command line does not expose.</summary>
    protected virtual void Configure(TrackingOptions options)
    {
    }

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "rill-tracking-browser-" + Guid.NewGuid().ToString("N"));
    private TrackingApp? _app;
    private IPlaywright? _playwright;

    public Uri BaseAddress => _app!.BaseAddress;

    /// <summary>The city the app generated (and serves as GeoJSON): tests drive riders along its roads.</summary>
    public CityModel City => _app!.Service<CityMap>().City;
    public HttpClient Api { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = TrackingOptions.Parse(["--urls", "http://127.0.0.1:0", "--data", _dataDirectory, "--partitions", "4", .. Arguments]);
        Configure(options);
        _app = await TrackingApp.StartAsync(options, logging: l => l.SetMinimumLevel(LogLevel.Warning));
        Api = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        await Wait.UntilAsync(async () => (await Api.GetAsync("/health")).IsSuccessStatusCode, TimeSpan.FromSeconds(90), "GET /health to answer 200");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    /// <summary>A fresh page (own context, 1280x800 unless told) that records console errors and every request that leaves 127.0.0.1.</summary>
    public async Task<PageSession> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var session = new PageSession(context, page);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                session.ConsoleErrors.Add(m.Text);
            }
        };
        page.PageError += (_, e) => session.ConsoleErrors.Add(e);
        page.Request += (_, r) =>
        {
            if (Uri.TryCreate(r.Url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" or "ws" or "wss" && u.Host != BaseAddress.Host)
            {
                session.ExternalRequests.Add(r.Url);
            }
        };
        return session;
    }

    public async Task<IReadOnlyList<Restaurant>> RestaurantsAsync() =>
        (await Api.GetFromJsonAsync<List<Restaurant>>("/api/restaurants"))!;

    public async Task<string> CreateRiderAsync(string riderId, string region)
    {
        var response = await Api.PostAsJsonAsync("/api/riders", new { riderId, region });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<RiderCreated>())!.Token;
    }

    public async Task<OrderCreated> CreateOrderAsync(string orderId, string riderId, Restaurant restaurant, (double Lat, double Lon) customer)
    {
        var response = await Api.PostAsJsonAsync("/api/orders", new
        {
            orderId,
            riderId,
            restaurantId = restaurant.Id,
            restaurant = new { lat = restaurant.Lat, lon = restaurant.Lon },
            customer = new { lat = customer.Lat, lon = customer.Lon },
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<OrderCreated>())!;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        Api?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public sealed record Restaurant(string Id, string Name, double Lat, double Lon);
    public sealed record RiderCreated(string Token);
    public sealed record OrderCreated(string TrackingUrl, string CustomerToken);
}

public sealed class PageSession(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;
    public List<string> ConsoleErrors { get; } = [];
    public List<string> ExternalRequests { get; } = [];

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}

/// <summary>The app with an operator key (not demo mode): operator pages must ask for the key.</summary>
public sealed class TrackingAppFixture : AppFixture
{
    protected override string[] Arguments => ["--operator-key", OperatorKey];

    /// <summary>Short, so the silence alert shows within a test (30 s in production).</summary>
    public static readonly TimeSpan SilenceAlert = TimeSpan.FromSeconds(3);

    protected override void Configure(TrackingOptions options) => options.SilenceAlert = SilenceAlert;
}

/// <summary>The app in --demo mode: no operator key, simulated riders moving from the start.</summary>
public sealed class DemoAppFixture : AppFixture
{
    protected override string[] Arguments => ["--demo", "--demo-riders", "8"];
}

[CollectionDefinition(Name)]
public sealed class TrackingAppCollection : ICollectionFixture<TrackingAppFixture>
{
    public const string Name = "tracking app + chromium";
}

[CollectionDefinition(Name)]
public sealed class DemoAppCollection : ICollectionFixture<DemoAppFixture>
{
    public const string Name = "demo app + chromium";
}
