using Microsoft.Playwright;

namespace Rill.Tracking.BrowserTests;

public sealed class SmokeTest
{
    [Fact]
    public async Task Chromium_launches_offline()
    {
        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
        var page = await browser.NewPageAsync();
        await page.SetContentAsync("<p id=x>hi</p>");
        Assert.Equal("hi", await page.InnerTextAsync("#x"));
    }
}
