using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rill.Tracking.Simulator.Tests;

/// <summary>
/// A minimal stand-in for the app's /ws/rider on port 0: token must be "good-&lt;riderId&gt;", frames with lat outside
/// [-90, 90] or unreadable JSON get an error, every other frame is acked (optionally after a delay) and recorded.
/// </summary>
sealed class FakeIngest : IAsyncDisposable
{
    readonly WebApplication _app;
    public readonly List<JsonElement> Received = [];
    public TimeSpan AckDelay { get; set; }
    public bool AckTwice { get; set; }

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
        await app.StartAsync();
        return fake;
    }

    async Task HandleAsync(HttpContext ctx)
    {
        if (!ctx.WebSockets.IsWebSocketRequest) { ctx.Response.StatusCode = 400; return; }
        string token = ctx.Request.Query["token"].ToString();
        if (!token.StartsWith("good-", StringComparison.Ordinal)) { ctx.Response.StatusCode = 401; return; }
        using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[8192];
        var sendLock = new SemaphoreSlim(1, 1);
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, CancellationToken.None);
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
                    reply = $"{{\"ack\":{seq}}}";
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                reply = "{\"error\":\"malformed\"}";
            }
            if (AckDelay > TimeSpan.Zero) await Task.Delay(AckDelay);
            await sendLock.WaitAsync();
            try
            {
                await ws.SendAsync(Encoding.UTF8.GetBytes(reply), WebSocketMessageType.Text, true, CancellationToken.None);
                if (AckTwice) await ws.SendAsync(Encoding.UTF8.GetBytes(reply), WebSocketMessageType.Text, true, CancellationToken.None);
            }
            finally { sendLock.Release(); }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
