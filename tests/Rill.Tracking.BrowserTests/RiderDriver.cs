using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Rill.Tracking.BrowserTests;

/// <summary>
/// A rider's phone: sends position frames over the app's real WebSocket ingest (/ws/rider?token=)
/// and waits for each frame's ack, so a position the test sent is known to be in the broker.
/// </summary>
internal sealed class RiderDriver : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly string _riderId;
    private readonly byte[] _buffer = new byte[4096];
    private long _seq;

    private RiderDriver(string riderId) => _riderId = riderId;

    public static async Task<RiderDriver> ConnectAsync(Uri appBase, string riderId, string token)
    {
        var driver = new RiderDriver(riderId);
        var uri = new UriBuilder(appBase) { Scheme = appBase.Scheme == "https" ? "wss" : "ws", Path = "/ws/rider", Query = "token=" + Uri.EscapeDataString(token) }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await driver._socket.ConnectAsync(uri, timeout.Token);
        return driver;
    }

    /// <summary>Sends one position and returns once the app acked it (fails on an error frame or after 15 s).</summary>
    public async Task SendAsync(double lat, double lon, string? orderId, double speedMps = 8)
    {
        long seq = ++_seq;
        string frame = JsonSerializer.Serialize(new
        {
            riderId = _riderId,
            orderId,
            lat,
            lon,
            speedMps,
            ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            seq,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, timeout.Token);
        while (true)
        {
            using var reply = JsonDocument.Parse(await ReceiveAsync(timeout.Token));
            if (reply.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"frame {seq} rejected: {error}");
            }
            if (reply.RootElement.TryGetProperty("ack", out var ack) && ack.GetInt64() == seq)
            {
                return;
            }
        }
    }

    private async Task<string> ReceiveAsync(CancellationToken ct)
    {
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(_buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"ingest closed the socket: {result.CloseStatus} {result.CloseStatusDescription}");
            }
            message.Write(_buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        _socket.Dispose();
    }
}
