using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Rill.Console.BrowserTests;

/// <summary>
/// One `rill serve` (port 0, HTTP listener on port 0) and one headless Debian chromium driven by
/// Playwright, shared by the tests of the collection and torn down at the end.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public RillProcess Broker { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public Uri Console => new(Broker.HttpAddress!, "/console/");

    public async Task InitializeAsync()
    {
        // The lag history is sampled every 5 s; a short initial rebalance delay keeps group tests quick.
        Broker = await RillProcess.StartAsync("group.initial.rebalance.delay.ms=0");
        Api = new HttpClient { BaseAddress = Broker.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh page (own context) that records console errors and any request leaving the broker's host.</summary>
    public async Task<PageSession> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        IPage page = await context.NewPageAsync();
        var session = new PageSession(context, page);
        page.Console += (_, m) => { if (m.Type == "error") session.Errors.Add(m.Text); };
        page.PageError += (_, e) => session.Errors.Add(e);
        page.Request += (_, r) =>
        {
            if (Uri.TryCreate(r.Url, UriKind.Absolute, out Uri? u) && u.Scheme is "http" or "https" && u.Authority != Broker.HttpAddress!.Authority)
            {
                session.External.Add(r.Url);
            }
        };
        return session;
    }

    /// <summary>Opens a console route (#/...) and waits until its data is on screen.</summary>
    public async Task OpenAsync(IPage page, string route, string loaded)
    {
        await page.GotoAsync(new Uri(Console, "#" + route).ToString());
        await page.WaitForSelectorAsync($"#view[data-loaded='{loaded}']", new PageWaitForSelectorOptions { Timeout = 30_000 });
    }

    public async Task<JsonElement> GetAsync(string path) => await Api.GetFromJsonAsync<JsonElement>(path);

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        Api?.Dispose();
        if (Broker is not null)
        {
            await Broker.DisposeAsync();
        }
    }
}

public sealed class PageSession(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;
    public List<string> Errors { get; } = [];
    public List<string> External { get; } = [];

    public void AssertClean()
    {
        Assert.True(Errors.Count == 0, "browser console errors: " + string.Join("\n", Errors));
        Assert.True(External.Count == 0, "requests left the broker: " + string.Join("\n", External));
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}

/// <summary>Saves screenshots into docs/console/ of the repository the tests run from.</summary>
internal static class Screenshots
{
    public static async Task SaveAsync(IPage page, string fileName)
    {
        string dir = Path.Combine(RepoPaths.Root, "docs", "console");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, fileName) });
    }
}
