using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Rill.Client;
using Rill.Tracking.Auth;
using Rill.Tracking.Stats;

namespace Rill.Tracking.Ingest;

/// <summary>
/// WS /ws/rider?token=T. Each text frame is one position; the answer is {"ack":seq} once the broker
/// acknowledged it, or {"error":reason,"seq":seq?} when it is refused (nothing is produced then).
/// Closes with 1009 for a frame over <see cref="MaxFrameBytes"/>, 1008 "flood" after
/// <see cref="FloodLimit"/> rate-limited frames in a row, 1003 for binary frames.
/// </summary>
public sealed class RiderSocketEndpoint(TokenSigner signer, UpdateProducer producer, RateLimiter limiter, IngestMetrics metrics,
    IHostApplicationLifetime lifetime, ILogger<RiderSocketEndpoint> logger)
{
    public const int MaxFrameBytes = 4096;
    public const int FloodLimit = 50;

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("WebSocket expected", context.RequestAborted);
            return;
        }
        if (!signer.TryReadRiderToken(context.Request.Query["token"].ToString(), out string riderId, out string region))
        {
            metrics.CountError(FrameErrors.BadToken);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("bad or missing rider token", context.RequestAborted);
            return;
        }
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
        Task writer = WriteLoopAsync(socket, outbox.Reader, cts.Token);
        int pending = 0;
        try
        {
            var (status, reason) = await ReadLoopAsync(socket, riderId, region, outbox.Writer, () => Interlocked.Increment(ref pending),
                () => Interlocked.Decrement(ref pending), cts.Token);
            // let outstanding acks go out before closing (bounded)
            for (int i = 0; i < 300 && Volatile.Read(ref pending) > 0; i++)
            {
                await Task.Delay(10, CancellationToken.None);
            }
            outbox.Writer.TryComplete();
            await writer.WaitAsync(TimeSpan.FromSeconds(5));
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseAsync(status, reason, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.EndpointUnavailable, "server stopping");
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            logger.LogDebug(e, "rider {RiderId} socket ended", riderId);
        }
        finally
        {
            outbox.Writer.TryComplete();
            await cts.CancelAsync();
        }
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    private async Task<(WebSocketCloseStatus, string)> ReadLoopAsync(WebSocket socket, string riderId, string region, ChannelWriter<byte[]> outbox,
        Action started, Action finished, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxFrameBytes + 1);
        var scratch = new ArrayBufferWriter<byte>(512);
        int limited = 0;
        try
        {
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length > MaxFrameBytes)
                    {
                        metrics.CountError(FrameErrors.Oversized);
                        return (WebSocketCloseStatus.MessageTooBig, $"{FrameErrors.Oversized}: frames are at most {MaxFrameBytes} bytes");
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length, buffer.Length - length), cancellationToken);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (WebSocketCloseStatus.NormalClosure, "bye");
                }
                if (length > MaxFrameBytes)
                {
                    metrics.CountError(FrameErrors.Oversized);
                    return (WebSocketCloseStatus.MessageTooBig, $"{FrameErrors.Oversized}: frames are at most {MaxFrameBytes} bytes");
                }
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    metrics.CountError(FrameErrors.BinaryFrame);
                    return (WebSocketCloseStatus.InvalidMessageType, $"{FrameErrors.BinaryFrame}: frames are JSON text");
                }
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (!limiter.TryTake(riderId, DateTime.UtcNow.Ticks))
                {
                    metrics.CountError(FrameErrors.RateLimited);
                    if (++limited >= FloodLimit)
                    {
                        metrics.CountError(FrameErrors.Flood);
                        return (WebSocketCloseStatus.PolicyViolation, $"{FrameErrors.Flood}: over the per-rider rate limit");
                    }
                    outbox.TryWrite(ErrorFrame(FrameErrors.RateLimited, null, TryReadSeq(buffer.AsSpan(0, length))));
                    continue;
                }
                limited = 0;
                FrameParser.Result parsed = FrameParser.Parse(buffer.AsSpan(0, length), now);
                if (!parsed.IsValid)
                {
                    metrics.CountError(parsed.Error!);
                    outbox.TryWrite(ErrorFrame(parsed.Error!, parsed.Field, parsed.Seq));
                    continue;
                }
                RiderFrame frame = parsed.Frame;
                if (frame.RiderId != riderId)
                {
                    metrics.CountError(FrameErrors.RiderMismatch);
                    outbox.TryWrite(ErrorFrame(FrameErrors.RiderMismatch, "riderId", frame.Seq));
                    continue;
                }
                started();
                long? ackSeq = frame.Seq;
                try
                {
                    producer.Produce(riderId, region, frame, now, scratch, error => Acknowledge(error, ackSeq, riderId, outbox, finished));
                }
                catch (Exception e) when (e is KafkaException or ObjectDisposedException or InvalidOperationException)
                {
                    Acknowledge(e, ackSeq, riderId, outbox, finished);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Acknowledge(Exception? error, long? seq, string riderId, ChannelWriter<byte[]> outbox, Action finished)
    {
        if (error is null)
        {
            metrics.CountAck();
            outbox.TryWrite(AckFrame(seq));
        }
        else
        {
            logger.LogWarning(error, "produce for rider {RiderId} failed", riderId);
            metrics.CountError(FrameErrors.ProduceFailed);
            outbox.TryWrite(ErrorFrame(FrameErrors.ProduceFailed, null, seq));
        }
        finished();
    }

    private static async Task WriteLoopAsync(WebSocket socket, ChannelReader<byte[]> frames, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (byte[] frame in frames.ReadAllAsync(cancellationToken))
            {
                if (socket.State != WebSocketState.Open)
                {
                    return;
                }
                await socket.SendAsync(frame, WebSocketMessageType.Text, true, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    private static byte[] AckFrame(long? seq) => Encoding.UTF8.GetBytes(seq is { } s ? $"{{\"ack\":{s}}}" : "{\"ack\":null}");

    internal static byte[] ErrorFrame(string reason, string? field, long? seq)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("error", reason);
            if (field is not null)
            {
                w.WriteString("field", field);
            }
            if (seq is { } s)
            {
                w.WriteNumber("seq", s);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static long? TryReadSeq(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isSeq = reader.ValueTextEquals("seq"u8);
                reader.Read();
                if (isSeq)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long s) ? s : null;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
