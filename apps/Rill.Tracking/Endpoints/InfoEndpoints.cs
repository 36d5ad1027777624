using Rill.Tracking.Auth;
using Rill.Tracking.Geo;
using Rill.Tracking.History;
using Rill.Tracking.Hosting;
using Rill.Tracking.Stats;

namespace Rill.Tracking.Endpoints;

/// <summary>/health, /api/config, the city, stats and the history API.</summary>
public static class InfoEndpoints
{
    public static void Map(IEndpointRouteBuilder app, TrackingOptions options)
    {
        app.MapGet("/health", (RoleStatus status) =>
            Results.Json(new { status = status.AllRunning ? "ok" : "starting", roles = status.Snapshot() },
                statusCode: status.AllRunning ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/api/config", (KafkaRuntime kafka) => Results.Ok(new
        {
            demo = options.Demo,
            operatorKeyRequired = !options.Demo,
            roles = RolesText.Each(options.Roles).Select(RolesText.NameOf),
            citySeed = options.CitySeed,
            bootstrapServers = kafka.BootstrapServers,
        }));

        app.MapGet("/api/city", (CityMap city) => Results.Text(city.GeoJson, "application/geo+json"));
        app.MapGet("/api/restaurants", (CityMap city) => Results.Ok(city.Restaurants));

        var op = app.MapGroup("/api").AddEndpointFilter<OperatorFilter>();
        op.MapGet("/stats", (StatsService stats) => Results.Ok(stats.Current));

        if ((options.Roles & Roles.History) != 0)
        {
            op.MapGet("/riders/{riderId}/history", async (string riderId, long? from, long? to, int? limit, IHistoryStore store, CancellationToken ct) =>
                Results.Ok(await store.QueryAsync(riderId, from ?? 0, to ?? long.MaxValue, Math.Clamp(limit ?? 10_000, 1, 100_000), ct)));
            op.MapGet("/orders/{orderId}/summary", async (string orderId, IHistoryStore store, CancellationToken ct) =>
                await store.FindSummaryAsync(orderId, ct) is { } s ? Results.Ok(s) : Results.NotFound(new { error = $"no summary for order {orderId}" }));
            op.MapGet("/history/stats", async (IHistoryStore store, CancellationToken ct) =>
            {
                var (rows, summaries) = await store.CountAsync(ct);
                return Results.Ok(new { store = store.Name, rows, summaries });
            });
        }
    }
}
