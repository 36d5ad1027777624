using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Rill.Tracking.City;

/// <summary>
/// A rider's phone: one WebSocket to the app's <c>/ws/rider?token=</c>, frames
/// <c>{riderId, orderId?, lat, lon, speedMps, heading, ts, seq}</c> out, <c>{"ack":seq}</c> and
/// <c>{"error":reason,"seq":seq?}</c> in. Every sent seq stays in <see cref="UnackedSeqs"/> until its ack arrives.
/// Sends are serialised (one frame at a time); a background loop reads the answers.
/// </summary>
public sealed class RiderSocketClient : IAsyncDisposable
{
    readonly ClientWebSocket _socket = new();
    readonly SemaphoreSlim _sendLock = new(1, 1);
    readonly ArrayBufferWriter<byte> _buffer = new(256);
    readonly ConcurrentDictionary<long, long> _unacked = new();
    Task? _receiveLoop;
    long _nextSeq;
    long _sent, _acked, _errors, _unknownAcks;

    public RiderSocketClient(string riderId) => RiderId = riderId;

    public string RiderId { get; }
    public long Sent => Interlocked.Read(ref _sent);
    public long Acked => Interlocked.Read(ref _acked);
    public long Errors => Interlocked.Read(ref _errors);
    /// <summary>Acks for a seq that was not outstanding (already acked or never sent): a duplicate.</summary>
    public long UnknownAcks => Interlocked.Read(ref _unknownAcks);
    public int UnackedCount => _unacked.Count;
    public IReadOnlyCollection<long> UnackedSeqs => [.. _unacked.Keys];
    public WebSocketState State => _socket.State;
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;
    public string? CloseDescription => _socket.CloseStatusDescription;

    /// <summary>Raised on the receive loop for each ack: the seq and the time since it was sent.</summary>
    public event Action<long, TimeSpan>? AckReceived;
    /// <summary>Raised on the receive loop for each error frame: the reason and the seq if the app could read it.</summary>
    public event Action<string, long?>? ErrorReceived;

    /// <summary>ws(s)://host/ws/rider?token=T for an app base address given as http(s):// or ws(s)://.</summary>
    public static Uri IngestUri(Uri appBase, string token)
    {
        var b = new UriBuilder(appBase)
        {
            Scheme = appBase.Scheme is "https" or "wss" ? "wss" : "ws",
            Path = appBase.AbsolutePath.TrimEnd('/') + "/ws/rider",
            Query = "token=" + Uri.EscapeDataString(token),
        };
        return b.Uri;
    }

    public async Task ConnectAsync(Uri appBase, string token, CancellationToken ct = default)
    {
        await _socket.ConnectAsync(IngestUri(appBase, token), ct).ConfigureAwait(false);
        _receiveLoop = Task.Run(ReceiveLoopAsync, CancellationToken.None);
    }

    /// <summary>Sends one position; returns the seq it was given (the next number unless <paramref name="seq"/> is set).</summary>
    public async Task<long> SendAsync(string? orderId, double lat, double lon, double? speedMps, double? heading,
        long ts, long? seq = null, CancellationToken ct = default)
    {
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            long s = seq ?? ++_nextSeq;
            if (seq is { } given && given > _nextSeq) _nextSeq = given;
            _buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(_buffer))
            {
                w.WriteStartObject();
                w.WriteString("riderId", RiderId);
                if (orderId is not null) w.WriteString("orderId", orderId);
                w.WriteNumber("lat", Math.Round(lat, 6));
                w.WriteNumber("lon", Math.Round(lon, 6));
                if (speedMps is { } v) w.WriteNumber("speedMps", Math.Round(v, 2));
                if (heading is { } h) w.WriteNumber("heading", Math.Round(h, 1));
                w.WriteNumber("ts", ts);
                w.WriteNumber("seq", s);
                w.WriteEndObject();
            }
            _unacked[s] = Stopwatch.GetTimestamp();
            await _socket.SendAsync(_buffer.WrittenMemory, WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
            return s;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends an arbitrary text frame (for tests of the app's validation).</summary>
    public async Task SendRawAsync(string text, CancellationToken ct = default)
    {
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Waits until every sent frame is acked; false if the time runs out or the connection ends first.</summary>
    public async Task<bool> WaitAllAckedAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!_unacked.IsEmpty)
        {
            if (Stopwatch.GetTimestamp() > deadline || _socket.State != WebSocketState.Open) return _unacked.IsEmpty;
            await Task.Delay(10, ct).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Closes the connection politely (after <see cref="WaitAllAckedAsync"/> if you want every ack).</summary>
    public async Task CloseAsync(CancellationToken ct = default)
    {
        if (_socket.State == WebSocketState.Open)
        {
            try { await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ct).ConfigureAwait(false); }
            catch (WebSocketException) { }
        }
        if (_receiveLoop is not null)
            await Task.WhenAny(_receiveLoop, Task.Delay(TimeSpan.FromSeconds(5), ct)).ConfigureAwait(false);
    }

    /// <summary>Completes when the app has closed the connection (or it failed).</summary>
    public Task Completion => _receiveLoop ?? Task.CompletedTask;

    async Task ReceiveLoopAsync()
    {
        var chunk = new byte[4096];
        var message = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await _socket.ReceiveAsync(chunk.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None)
                            .ConfigureAwait(false);
                    return;
                }
                message.Write(chunk.AsSpan(0, result.Count));
                if (!result.EndOfMessage) continue;
                Handle(message.WrittenSpan);
                message.ResetWrittenCount();
            }
        }
        catch (WebSocketException) { }
        catch (ObjectDisposedException) { }
    }

    void Handle(ReadOnlySpan<byte> json)
    {
        long? ack = null, seq = null;
        string? error = null;
        try
        {
            var r = new Utf8JsonReader(json);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("ack"u8)) { r.Read(); ack = r.TokenType == JsonTokenType.Number ? r.GetInt64() : null; }
                else if (r.ValueTextEquals("seq"u8)) { r.Read(); seq = r.TokenType == JsonTokenType.Number ? r.GetInt64() : null; }
                else if (r.ValueTextEquals("error"u8)) { r.Read(); error = r.TokenType == JsonTokenType.String ? r.GetString() : r.TokenType.ToString(); }
                else { r.Read(); r.Skip(); }
            }
        }
        catch (JsonException) { return; }

        if (ack is { } a)
        {
            if (_unacked.TryRemove(a, out long sentAt))
            {
                Interlocked.Increment(ref _acked);
                AckReceived?.Invoke(a, Stopwatch.GetElapsedTime(sentAt));
            }
            else Interlocked.Increment(ref _unknownAcks);
        }
        else if (error is not null)
        {
            Interlocked.Increment(ref _errors);
            if (seq is { } s) _unacked.TryRemove(s, out _);
            ErrorReceived?.Invoke(error, seq);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await CloseAsync().ConfigureAwait(false); } catch (Exception) { }
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
