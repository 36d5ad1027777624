using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rill.Tracking.Simulator.Tests;

/// <summary>
/// A minimal stand-in for the tracking app on port 0, enough to test the simulator before (and independently of)
/// the real app: rider tokens are "good-&lt;riderId&gt;"; /ws/rider acks every valid frame (lat outside [-90, 90] or
/// unreadable JSON get an error) and records it; orders, the order SSE stream (each acked position of the order's
/// rider), /api/stats (acked, lag 0) and the history API answer as the contract says.
/// </summary>
sealed class FakeIngest : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentDictionary<string, List<Channel<string>>> _orderStreams = new();
    readonly ConcurrentDictionary<string, string> _orderStatus = new();
    long _acked;
    public readonly List<JsonElement> Received = [];
    public TimeSpan AckDelay { get; set; }
    public bool AckTwice { get; set; }
    /// <summary>Drop every n-th position on its way to customers (0 = none), to test that the simulator notices.</summary>
    public int DropEveryNthPush { get; set; }
    public IReadOnlyDictionary<string, string> OrderStatus => _orderStatus;

    FakeIngest(WebApplication app) => _app = app;

    public Uri BaseUri => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<FakeIngest> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeIngest(app);
        app.UseWebSockets();
        app.Map("/ws/rider", fake.HandleAsync);
        app.MapGet("/health", () => Results.Ok());
        app.MapPost("/api/riders", async (HttpContext ctx) =>
        {
            var body = await JsonDocument.ParseAsync(ctx.Request.Body);
            return Results.Json(new { token = "good-" + body.RootElement.GetProperty("riderId").GetString() });
        });
        app.MapPost("/api/orders", async (HttpContext ctx) =>
        {
            var body = await JsonDocument.ParseAsync(ctx.Request.Body);
            string id = body.RootElement.GetProperty("orderId").GetString()!;
            fake._orderStatus[id] = "assigned";
            return Results.Json(new { trackingUrl = "/track.html?order=" + id, customerToken = "ct-" + id });
        });
        app.MapPost("/api/orders/{id}/picked-up", (string id) => { fake._orderStatus[id] = "picked-up"; return Results.Ok(); });
        app.MapPost("/api/orders/{id}/delivered", (string id) =>
        {
            fake._orderStatus[id] = "delivered";
            fake.Push(id, "event: delivered\ndata: {\"orderId\":\"" + id + "\"}\n\n");
            return Results.Ok();
        });
        app.MapGet("/api/stats", () => Results.Json(new
        {
            ingestPerSecond = 0,
            acked = Interlocked.Read(ref fake._acked),
            errors = new { },
            lag = new Dictionary<string, long>
            {
                ["tracking-customer"] = 0, ["tracking-restaurant"] = 0, ["tracking-support"] = 0,
                ["tracking-notifications"] = 0, ["tracking-history"] = 0,
            },
        }));
        app.MapGet("/api/riders/{id}/history", (string id, long from, long to) =>
        {
            lock (fake.Received)
                return Results.Json(fake.Received
                    .Where(r => r.GetProperty("riderId").GetString() == id && r.GetProperty("ts").GetInt64() >= from && r.GetProperty("ts").GetInt64() <= to)
                    .Select(r => new
                    {
                        riderId = id,
                        orderId = r.TryGetProperty("orderId", out var o) ? o.GetString() : null,
                        lat = r.GetProperty("lat").GetDouble(),
                        lon = r.GetProperty("lon").GetDouble(),
                        ts = r.GetProperty("ts").GetInt64(),
                        seq = r.GetProperty("seq").GetInt64(),
                    }).ToList());
        });
        app.MapGet("/api/orders/{id}/stream", fake.StreamAsync);
        await app.StartAsync();
        return fake;
    }

    async Task StreamAsync(HttpContext ctx, string id)
    {
        if (ctx.Request.Query["token"] != "ct-" + id) { ctx.Response.StatusCode = 403; return; }
        var channel = Channel.CreateUnbounded<string>();
        var list = _orderStreams.GetOrAdd(id, _ => []);
        lock (list) list.Add(channel);
        ctx.Response.ContentType = "text/event-stream";
        await ctx.Response.WriteAsync(": hello\n\n");
        await ctx.Response.Body.FlushAsync();
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ctx.RequestAborted))
            {
                await ctx.Response.WriteAsync(e);
                await ctx.Response.Body.FlushAsync();
            }
        }
        catch (OperationCanceledException) { }
        finally { lock (list) list.Remove(channel); }
    }

    long _pushes;

    void Push(string orderId, string sseEvent)
    {
        if (!_orderStreams.TryGetValue(orderId, out var list)) return;
        lock (list) foreach (var c in list) c.Writer.TryWrite(sseEvent);
    }

    async Task HandleAsync(HttpContext ctx)
    {
        if (!ctx.WebSockets.IsWebSocketRequest) { ctx.Response.StatusCode = 400; return; }
        string token = ctx.Request.Query["token"].ToString();
        if (!token.StartsWith("good-", StringComparison.Ordinal)) { ctx.Response.StatusCode = 401; return; }
        using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[8192];
        while (true)
        {
            WebSocketReceiveResult r;
            try { r = await ws.ReceiveAsync(buffer, CancellationToken.None); }
            catch (WebSocketException) { return; }
            if (r.MessageType == WebSocketMessageType.Close)
            {
                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }
            string reply;
            try
            {
                var doc = JsonDocument.Parse(buffer.AsMemory(0, r.Count)).RootElement.Clone();
                long seq = doc.TryGetProperty("seq", out var s) ? s.GetInt64() : 0;
                if (doc.GetProperty("riderId").GetString() != token["good-".Length..])
                    reply = $"{{\"error\":\"wrong rider\",\"seq\":{seq}}}";
                else if (Math.Abs(doc.GetProperty("lat").GetDouble()) > 90)
                    reply = $"{{\"error\":\"lat out of range\",\"seq\":{seq}}}";
                else
                {
                    lock (Received) Received.Add(doc);
                    Interlocked.Increment(ref _acked);
                    reply = $"{{\"ack\":{seq}}}";
                    if (doc.TryGetProperty("orderId", out var order) && order.GetString() is { } orderId)
                    {
                        long n = Interlocked.Increment(ref _pushes);
                        if (DropEveryNthPush == 0 || n % DropEveryNthPush != 0)
                            Push(orderId, $"event: position\ndata: {{\"riderId\":\"{doc.GetProperty("riderId").GetString()}\",\"lat\":{doc.GetProperty("lat").GetDouble()},\"lon\":{doc.GetProperty("lon").GetDouble()},\"ts\":{doc.GetProperty("ts").GetInt64()},\"etaSeconds\":60}}\n\n");
                    }
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                reply = "{\"error\":\"malformed\"}";
            }
            if (AckDelay > TimeSpan.Zero) await Task.Delay(AckDelay);
            await ws.SendAsync(Encoding.UTF8.GetBytes(reply), WebSocketMessageType.Text, true, CancellationToken.None);
            if (AckTwice) await ws.SendAsync(Encoding.UTF8.GetBytes(reply), WebSocketMessageType.Text, true, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var list in _orderStreams.Values) lock (list) foreach (var c in list) c.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
