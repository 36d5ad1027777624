using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Rill.Broker.Handlers;
using Rill.Broker.Security;
using Rill.Broker.Metrics;
using Rill.Broker.Quotas;
using Rill.Protocol;

namespace Rill.Broker.Network;

/// <summary>
/// One Kafka connection: read a frame, serve it, write the response, repeat. One request is in
/// flight per connection and responses leave in request order, as the Kafka broker does. A
/// malformed frame closes this connection only.
/// </summary>
internal sealed class KafkaConnectionHandler : ConnectionHandler
{
    private readonly ApiHandlerRegistry _handlers;
    private readonly int _maxRequestSize;
    private readonly ILogger _log;
    private readonly ILogger _requestLog;
    private readonly CancellationToken _stopping;
    private readonly BrokerQuotas _quotas;

    /// <param name="requestLog">The request log (<see cref="RequestLog"/>), written at debug only; <paramref name="log"/> when null.</param>
    public KafkaConnectionHandler(ApiHandlerRegistry handlers, int maxRequestSize, ILogger log, CancellationToken stopping, BrokerQuotas quotas,
        ILogger? requestLog = null)
    {
        _handlers = handlers;
        _maxRequestSize = maxRequestSize;
        _log = log;
        _requestLog = requestLog ?? log;
        _stopping = stopping;
        _quotas = quotas;
    }

    public override Task OnConnectedAsync(ConnectionContext connection) => OnConnectedAsync(connection, null);

    /// <summary>Serves a connection of <paramref name="listener"/>: SASL listeners accept only the handshake until authenticated.</summary>
    public async Task OnConnectedAsync(ConnectionContext connection, ListenerSecurity? listener)
    {
        ConnectionSlot? slot = await ConnectionAdmission.AdmitAsync(_quotas.Connections, connection, listener?.Name, _log, _stopping).ConfigureAwait(false);
        if (slot is null)
        {
            return;
        }
        using (slot)
        {
            await ServeConnectionAsync(connection, listener).ConfigureAwait(false);
        }
    }

    private async Task ServeConnectionAsync(ConnectionContext connection, ListenerSecurity? listener)
    {
        ConnectionSession? session = listener is null ? null
            : new ConnectionSession(listener, connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate);
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, _stopping);
        PipeReader input = connection.Transport.Input;
        PipeWriter output = connection.Transport.Output;
        byte[]? frame = null;
        int frameSize = 0, filled = 0;
        BrokerMeters.ConnectionsCreated.Add(1);
        BrokerMeters.ActiveConnections.Add(1);
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                ReadResult result = await input.ReadAsync(aborted.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (frame is null)
                {
                    if (buffer.Length < 4)
                    {
                        if (result.IsCompleted || result.IsCanceled)
                        {
                            return;
                        }
                        input.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }
                    int maxSize = session is { Authenticated: false } ? session.Listener.MaxPreAuthReceiveSize : _maxRequestSize;
                    if (FrameDecoder.TryRead(buffer, maxSize, out frameSize) == FrameStatus.Invalid)
                    {
                        _log.LogWarning("Closing connection {Connection} from {Remote}: frame size {Size} is outside 10..{Max} ({Limit})",
                            connection.ConnectionId, connection.RemoteEndPoint, frameSize, maxSize,
                            maxSize == _maxRequestSize ? "socket.request.max.bytes" : "sasl.server.max.receive.size before authentication");
                        return;
                    }
                    frame = ArrayPool<byte>.Shared.Rent(frameSize);
                    filled = 0;
                    buffer = buffer.Slice(4);
                }

                // Copy what has arrived into the frame buffer and release it from the pipe at once, so
                // a large request never piles up in the transport's small pooled blocks.
                int take = (int)Math.Min(buffer.Length, frameSize - filled);
                buffer.Slice(0, take).CopyTo(frame.AsSpan(filled));
                filled += take;
                input.AdvanceTo(buffer.GetPosition(take));
                if (filled < frameSize)
                {
                    if (result.IsCompleted || result.IsCanceled)
                    {
                        return;
                    }
                    continue;
                }

                byte[] complete = frame;
                frame = null;
                long throttleMs;
                try
                {
                    throttleMs = await ServeAsync(connection, session, output, complete.AsMemory(0, frameSize), aborted.Token).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(complete);
                }
                if (throttleMs < 0)
                {
                    return;
                }
                if (throttleMs > 0)
                {
                    // KIP-219: the response went out with throttle_time_ms; now stop reading from this
                    // connection for that long (Kafka mutes the channel), so requests sent anyway wait.
                    await Task.Delay(TimeSpan.FromMilliseconds(throttleMs), _quotas.Time, aborted.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ConnectionResetException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            BrokerMeters.ActiveConnections.Add(-1);
            if (frame is not null)
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Serves one request frame. Returns -1 when the connection must be closed, else the quota throttle time in ms.</summary>
    private async ValueTask<long> ServeAsync(ConnectionContext connection, ConnectionSession? session, PipeWriter output, ReadOnlyMemory<byte> frame, CancellationToken aborted)
    {
        if (session is { RawTokens: true })
        {
            return await SaslRawToken.ServeAsync(session, connection, output, frame, _log).ConfigureAwait(false) ? 0 : -1;
        }
        long received = System.Diagnostics.Stopwatch.GetTimestamp();
        ReadOnlySpan<byte> head = frame.Span;
        short apiKey = BinaryPrimitives.ReadInt16BigEndian(head);
        short version = BinaryPrimitives.ReadInt16BigEndian(head[2..]);
        int correlationId = BinaryPrimitives.ReadInt32BigEndian(head[4..]);

        if (session is not null && !session.MaySend((ApiKey)apiKey))
        {
            _log.LogWarning("Closing connection {Connection} from {Remote}: API key {ApiKey} {When} on listener {Listener}",
                connection.ConnectionId, connection.RemoteEndPoint, apiKey,
                session.Authenticated ? "after the SASL session expired (connections.max.reauth.ms)" : "before SASL authentication", session.Listener.Name);
            return -1;
        }
        IApiHandler? handler = _handlers.Find(apiKey);
        if (handler is null)
        {
            _log.LogWarning("Closing connection {Connection}: unknown API key {ApiKey}", connection.ConnectionId, apiKey);
            return -1;
        }
        if (version < handler.MinVersion || version > handler.MaxVersion)
        {
            if (handler is ApiVersionsHandler apiVersions)
            {
                // KIP-511: answer an ApiVersions we cannot parse in v0, with the versions we serve.
                await WriteResponseAsync(output, handler.Key, 0, correlationId, apiVersions.UnsupportedVersionResponse()).ConfigureAwait(false);
                return 0;
            }
            _log.LogWarning("Closing connection {Connection}: {Api} v{Version} is not supported ({Min}-{Max})",
                connection.ConnectionId, handler.Key, version, handler.MinVersion, handler.MaxVersion);
            return -1;
        }

        RequestContext context;
        IApiMessage request;
        try
        {
            var reader = new ProtocolReader(frame);
            var header = new RequestHeader();
            header.Read(ref reader, ApiMessageVersions.RequestHeaderVersion(handler.Key, version));
            request = handler.ReadRequest(ref reader, version);
            context = new RequestContext
            {
                ApiKey = handler.Key,
                ApiVersion = version,
                CorrelationId = correlationId,
                ClientId = header.ClientId,
                ConnectionId = connection.ConnectionId,
                RemoteEndPoint = connection.RemoteEndPoint,
                Session = session,
                Aborted = aborted,
            };
        }
        catch (ProtocolException e)
        {
            _log.LogWarning("Closing connection {Connection}: malformed {Api} v{Version} request: {Reason}",
                connection.ConnectionId, handler.Key, version, e.Message);
            BrokerMeters.RequestErrors.Add(1, [new("api", handler.Key.ToString()), new("error", "malformed_request")]);
            return -1;
        }

        bool wrote = false;
        long throttleMs;
        int responseBytes = 0;
        long handlerStart = System.Diagnostics.Stopwatch.GetTimestamp(), handlerEnd;
        try
        {
            IApiMessage? response;
            try
            {
                response = await handler.HandleAsync(context, request).ConfigureAwait(false);
                handlerEnd = System.Diagnostics.Stopwatch.GetTimestamp();
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                return -1;
            }
            catch (Exception e)
            {
                _log.LogError(e, "Closing connection {Connection}: {Api} v{Version} failed", connection.ConnectionId, handler.Key, version);
                BrokerMeters.RequestErrors.Add(1, [new("api", handler.Key.ToString()), new("error", "handler_failed")]);
                return -1;
            }

            throttleMs = _quotas.Apply(context, request, ref response, frame.Length + 4, handlerEnd - received - context.WaitTicks);
            if (response is not null)
            {
                responseBytes = ResponseWriter.Write(output, handler.Key, version, correlationId, response);
                wrote = true;
                ResponseErrors.Count(handler.Key, response);
            }
        }
        finally
        {
            context.ReturnBuffers();
        }
        if (wrote)
        {
            await output.FlushAsync(aborted).ConfigureAwait(false);
        }
        long sent = System.Diagnostics.Stopwatch.GetTimestamp();
        RecordRequest(handler.Key, version, received, handlerStart, handlerEnd, sent);
        if (_requestLog.IsEnabled(LogLevel.Debug))
        {
            RequestLog.Completed(_requestLog, handler.Key, version, correlationId, context.ClientId, session?.Principal ?? ConnectionSession.Anonymous,
                connection.ConnectionId, connection.RemoteEndPoint, responseBytes, BrokerMeters.Seconds(received, sent) * 1000,
                BrokerMeters.Seconds(received, handlerStart) * 1000, BrokerMeters.Seconds(handlerStart, handlerEnd) * 1000,
                BrokerMeters.Seconds(handlerEnd, sent) * 1000);
        }
        return context.CloseConnection ? -1 : throttleMs;
    }

    /// <summary>Counts one served request and records its times, on tag lists cached per API key and version.</summary>
    private static void RecordRequest(ApiKey key, short version, long received, long handlerStart, long handlerEnd, long sent)
    {
        ReadOnlySpan<KeyValuePair<string, object?>> apiTags = RequestTags.For(key);
        BrokerMeters.Requests.Add(1, RequestTags.For(key, version));
        BrokerMeters.RequestQueueTime.Record(BrokerMeters.Seconds(received, handlerStart), apiTags);
        BrokerMeters.RequestLocalTime.Record(BrokerMeters.Seconds(handlerStart, handlerEnd), apiTags);
        BrokerMeters.RequestSendTime.Record(BrokerMeters.Seconds(handlerEnd, sent), apiTags);
        double total = BrokerMeters.Seconds(received, sent);
        BrokerMeters.RequestTotalTime.Record(total, apiTags);
        BrokerMeters.NetworkBusyTime.Add(total);
    }

    private static ValueTask<FlushResult> WriteResponseAsync(PipeWriter output, ApiKey key, short version, int correlationId, IApiMessage response)
    {
        ResponseWriter.Write(output, key, version, correlationId, response);
        return output.FlushAsync();
    }
}
