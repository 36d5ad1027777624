using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Rill.Tracking.Tests;

/// <summary>A raw WebSocket rider for tests that look at each answer frame (and close codes).</summary>
public sealed class TestRider : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public static async Task<TestRider> ConnectAsync(Uri appBase, string token)
    {
        var rider = new TestRider();
        var uri = new UriBuilder(appBase) { Scheme = "ws", Path = "/ws/rider", Query = "token=" + Uri.EscapeDataString(token) }.Uri;
        await rider._socket.ConnectAsync(uri, CancellationToken.None);
        return rider;
    }

    public WebSocket Socket => _socket;

    public Task SendTextAsync(string text) => _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public static string Frame(string riderId, double lat, double lon, long ts, long? seq = null, string? orderId = null, double? speed = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["riderId"] = riderId, ["lat"] = lat, ["lon"] = lon, ["ts"] = ts, ["seq"] = seq, ["orderId"] = orderId, ["speedMps"] = speed,
        }.Where(kv => kv.Value is not null).ToDictionary());

    /// <summary>The next answer frame as JSON; null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(int timeoutMs = 15_000)
    {
        using var cts = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[8192];
        int length = 0;
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer.AsMemory(length), cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            length += result.Count;
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
            }
        }
    }

    public async Task<JsonElement> SendAndReceiveAsync(string text)
    {
        await SendTextAsync(text);
        return await ReceiveAsync() ?? throw new InvalidOperationException($"closed: {_socket.CloseStatus} {_socket.CloseStatusDescription}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(2000);
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        _socket.Dispose();
    }
}
