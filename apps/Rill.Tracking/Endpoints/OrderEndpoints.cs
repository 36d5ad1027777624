using Rill.Tracking.Auth;
using Rill.Tracking.Geo;
using Rill.Tracking.Ingest;
using Rill.Tracking.Orders;

namespace Rill.Tracking.Endpoints;

public sealed record CreateRiderRequest(string? RiderId, string? Region);

public sealed record CreateOrderRequest(string? OrderId, string? RiderId, string? RestaurantId, LatLon? Restaurant, LatLon? Customer);

/// <summary>POST /api/riders, POST /api/orders, /picked-up, /delivered (operator key outside --demo).</summary>
public static class OrderEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter<OperatorFilter>();

        api.MapPost("/riders", (CreateRiderRequest body, TokenSigner signer) =>
        {
            if (body.RiderId is not { } riderId || !FrameParser.IsValidId(riderId))
            {
                return Results.BadRequest(new { error = "riderId must be 1-64 characters of letters, digits, '-', '_', '.', ':'" });
            }
            if (body.Region is not { } region || !FrameParser.IsValidId(region))
            {
                return Results.BadRequest(new { error = "region is required (e.g. \"south\")" });
            }
            return Results.Ok(new { token = signer.IssueRiderToken(riderId, region) });
        });

        api.MapPost("/orders", async (CreateOrderRequest body, HttpContext context, TokenSigner signer, OrderEventProducer events, CityMap city) =>
        {
            if (body.OrderId is not { } orderId || !FrameParser.IsValidId(orderId) || body.RiderId is not { } riderId || !FrameParser.IsValidId(riderId))
            {
                return Results.BadRequest(new { error = "orderId and riderId are required ids" });
            }
            LatLon? restaurant = body.Restaurant;
            if (restaurant is null && body.RestaurantId is { } rid && city.City.FindRestaurant(rid) is { } r)
            {
                restaurant = new LatLon(r.Lat, r.Lon);
            }
            if (restaurant is null || body.Customer is null || !Valid(restaurant) || !Valid(body.Customer))
            {
                return Results.BadRequest(new { error = "restaurant {lat,lon} (or a known restaurantId) and customer {lat,lon} are required" });
            }
            if (body.RestaurantId is { } id && !FrameParser.IsValidId(id))
            {
                return Results.BadRequest(new { error = "restaurantId is not a valid id" });
            }
            var e = new OrderEvent(OrderEvent.Assigned, orderId, Now(), riderId, body.RestaurantId, restaurant, body.Customer);
            await events.PublishAsync(e, context.RequestAborted);
            string token = signer.IssueOrderToken(orderId);
            string trackingUrl = $"{BaseUrl(context)}/track.html?order={Uri.EscapeDataString(orderId)}&token={Uri.EscapeDataString(token)}";
            return Results.Ok(new { trackingUrl, customerToken = token });
        });

        api.MapPost("/orders/{orderId}/picked-up", (string orderId, HttpContext context, OrderEventProducer events, OrderBook book) =>
            Transition(orderId, OrderEvent.PickedUp, context, events, book));
        api.MapPost("/orders/{orderId}/delivered", (string orderId, HttpContext context, OrderEventProducer events, OrderBook book) =>
            Transition(orderId, OrderEvent.Delivered, context, events, book));
    }

    private static async Task<IResult> Transition(string orderId, string type, HttpContext context, OrderEventProducer events, OrderBook book)
    {
        if (book.Find(orderId) is not { } order)
        {
            return Results.NotFound(new { error = $"unknown order {orderId}" });
        }
        await events.PublishAsync(new OrderEvent(type, orderId, Now(), order.RiderId), context.RequestAborted);
        return Results.Ok(new { orderId, status = type });
    }

    private static bool Valid(LatLon p) => double.IsFinite(p.Lat) && double.IsFinite(p.Lon) && p.Lat is >= -90 and <= 90 && p.Lon is >= -180 and <= 180;

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static string BaseUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
}
