using Rill.Tracking.Auth;
using Rill.Tracking.Geo;
using Rill.Tracking.Hosting;
using Rill.Tracking.Orders;
using Rill.Tracking.Positions;
using Rill.Tracking.Streaming;
using Rill.Tracking.Workers;

namespace Rill.Tracking.Endpoints;

/// <summary>The SSE endpoints of the customer and restaurant roles.</summary>
public static class StreamEndpoints
{
    public static void MapCustomer(IEndpointRouteBuilder app)
    {
        // the signed order link: the token names this order and nothing else
        app.MapGet("/api/orders/{orderId}/stream", async (string orderId, HttpContext context, TokenSigner signer, OrderBook book, SseHub hub,
            RiderLatestFollower latest, EtaEstimator eta) =>
        {
            if (!signer.CheckOrderToken(orderId, context.Request.Query["token"].ToString()))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new { error = "bad order token" });
                return;
            }
            await hub.StreamAsync(context, SseHub.OrderKey(orderId), () => Initial(orderId, book, latest, eta));
        });
    }

    private static List<SseMessage> Initial(string orderId, OrderBook book, RiderLatestFollower latest, EtaEstimator eta)
    {
        var initial = new List<SseMessage>();
        if (book.Find(orderId) is { } order)
        {
            if (latest.Find(order.RiderId) is { } last)
            {
                double speed = eta.ObserveSpeed(last.RiderId, last.Lat, last.Lon, last.Ts, last.SpeedMps);
                initial.Add(SseMessage.Create("position", CustomerWorker.Position(eta, order, last, speed), last.RiderId, last.Ts));
            }
            if (order.NearTs is { } nearTs)
            {
                initial.Add(SseMessage.Create("near", new { orderId, riderId = order.RiderId, ts = nearTs }));
            }
            if (order.DeliveredTs is { } deliveredTs)
            {
                initial.Add(SseMessage.Create("delivered", new { orderId, ts = deliveredTs }));
            }
        }
        return initial;
    }

    public static void MapRestaurant(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/restaurants/{restaurantId}/stream", async (string restaurantId, HttpContext context, SseHub hub, RestaurantWorker worker) =>
        {
            await hub.StreamAsync(context, SseHub.RestaurantKey(restaurantId), () => worker.IncomingTo(restaurantId)
                .Select(i => SseMessage.Create("incoming", new { orderId = i.OrderId, riderId = i.RiderId, lat = i.Lat, lon = i.Lon, etaSeconds = i.EtaSeconds, ts = i.Ts }, i.OrderId, i.Ts))
                .ToList());
        }).AddEndpointFilter<OperatorFilter>();
    }
}
