using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Rill.Server.Http.WebConsole;

/// <summary>
/// The console's pages, built from Console/frontend by esbuild at build time and embedded in the
/// rill assembly (resources named <c>console/...</c>), served from memory under <c>/console/</c>
/// with ETags: nothing is fetched from the internet at run time.
/// </summary>
internal static class ConsoleAssets
{
    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly Lazy<Dictionary<string, Asset>> Assets = new(Load);

    /// <summary>False when the assembly was built without the pages (SkipConsoleFrontend=true).</summary>
    public static bool Available => Assets.Value.ContainsKey("index.html");

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Redirect("/console/"));
        app.MapGet("/console/{**path}", (string? path, HttpContext context) =>
        {
            if (string.IsNullOrEmpty(path) && !context.Request.Path.Value!.EndsWith('/'))
            {
                return Results.Redirect("/console/"); // the pages load app.js and app.css relative to /console/
            }
            if (!Assets.Value.TryGetValue(string.IsNullOrEmpty(path) ? "index.html" : path, out Asset? asset))
            {
                return Results.NotFound();
            }
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.ETag = asset.ETag;
            if (context.Request.Headers.IfNoneMatch == asset.ETag)
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }
            return Results.Bytes(asset.Bytes, asset.ContentType);
        });
    }

    private static Dictionary<string, Asset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("console/", StringComparison.Ordinal)))
        {
            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            byte[] bytes = copy.ToArray();
            string etag = "\"" + Convert.ToHexString(SHA256.HashData(bytes).AsSpan(0, 8)) + "\"";
            assets[name["console/".Length..]] = new Asset(bytes, ContentType(name), etag);
        }
        return assets;
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".map" => "application/json",
        _ => "application/octet-stream",
    };
}
