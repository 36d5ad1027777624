using Rill.Tracking.Auth;
using Rill.Tracking.Stats;
using Rill.Tracking.Streaming;
using Rill.Tracking.Workers;

namespace Rill.Tracking.Endpoints;

/// <summary>The support role's lookup and stream (operator key outside --demo).</summary>
public static class SupportEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/support").AddEndpointFilter<OperatorFilter>();
        api.MapGet("/riders", (string? q, SupportWorker support) => Results.Ok(support.Search(q)));
        api.MapGet("/riders/{riderId}", (string riderId, SupportWorker support) =>
            support.Find(riderId) is { } detail ? Results.Ok(detail) : Results.NotFound(new { error = $"unknown rider {riderId}" }));
        api.MapGet("/stream", async (HttpContext context, SseHub hub, SupportWorker support, StatsService stats) =>
            await hub.StreamAsync(context, SseHub.SupportKey,
                () => [SseMessage.Create("riders", support.RidersEvent()), SseMessage.Create("stats", stats.Current)]));
    }
}
