using Microsoft.Playwright;

namespace Rill.Tracking.BrowserTests;

/// <summary>Saves page screenshots to docs/img/ of the repository the tests run from.</summary>
internal static class Screenshots
{
    public static async Task SaveAsync(IPage page, string fileName)
    {
        string dir = Path.Combine(RepoRoot(), "docs", "img");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, fileName) });
    }

    private static string RepoRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Rill.slnx")))
            {
                return dir;
            }
        }
        throw new InvalidOperationException("Rill.slnx not found above " + AppContext.BaseDirectory);
    }
}
