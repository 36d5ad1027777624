using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Network;

/// <summary>
/// One TCP connection to one broker (TLS and SASL per security.protocol, set up before the first request). Requests are pipelined: each gets the next correlation id and
/// waits for the response carrying it; a reader loop completes them as frames arrive. A request
/// older than its timeout closes the connection and fails everything in flight, as Kafka's clients do.
/// </summary>
internal sealed class BrokerConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly ClientConfig _config;
    private readonly string _clientId;
    private readonly long _timeoutTicks;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<int, PendingRequest> _pending = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly FrameReader _reader;
    private readonly Timer _timeoutTimer;
    private int _nextCorrelationId;
    private Exception? _failure;
    private Timer? _reauthTimer;

    private BrokerConnection(Socket socket, Stream stream, int nodeId, string host, int port, ClientConfig config)
    {
        _socket = socket;
        _stream = stream;
        _config = config;
        NodeId = nodeId;
        Host = host;
        Port = port;
        _clientId = config.ClientId;
        _timeoutTicks = config.RequestTimeoutMs * Stopwatch.Frequency / 1000;
        _reader = new FrameReader(stream);
        _timeoutTimer = new Timer(_ => CheckTimeouts(), null, 100, 100);
    }

    public int NodeId { get; }
    public string Host { get; }
    public int Port { get; }
    public ApiVersionTable Versions { get; private set; } = null!;
    public bool IsAlive => _failure is null;

    public static async Task<BrokerConnection> ConnectAsync(string host, int port, int nodeId, ClientConfig config, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(config.ConnectTimeoutMs);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            throw new KafkaException(ErrorCode.NetworkException, $"Cannot connect to {host}:{port}: {e.Message}", e);
        }
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (config.UsesTls)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(config.ConnectTimeoutMs);
            try
            {
                stream = await new Security.ClientTls(config).AuthenticateAsync(stream, host, timeout.Token).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        var connection = new BrokerConnection(socket, stream, nodeId, host, port, config);
        _ = connection.ReadLoopAsync();
        try
        {
            var response = await connection.SendAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3,
                new ApiVersionsRequest { ClientSoftwareName = "rill-client", ClientSoftwareVersion = "1.0" }, cancellationToken).ConfigureAwait(false);
            if (response.ErrorCode == (short)ErrorCode.UnsupportedVersion)
            {
                response = await connection.SendAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 0, new ApiVersionsRequest(), cancellationToken).ConfigureAwait(false);
            }
            KafkaException.ThrowIfError(response.ErrorCode, $"ApiVersions from {host}:{port}");
            connection.Versions = new ApiVersionTable(response);
            if (config.UsesSasl)
            {
                long lifetime = await Security.SaslAuthenticator.AuthenticateAsync(connection, config, cancellationToken).ConfigureAwait(false);
                connection.ScheduleReauthentication(lifetime);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return connection;
    }

    /// <summary>Sends a request and awaits its response. <paramref name="extraTimeoutMs"/> covers long polls.</summary>
    public async Task<T> SendAsync<T>(ApiKey key, short version, IApiMessage request, CancellationToken cancellationToken = default, int extraTimeoutMs = 0,
        bool inlineCompletion = false)
        where T : IApiMessage, new()
    {
        var pending = new PendingRequest<T>(inlineCompletion) { ApiKey = key, Version = version };
        pending.DeadlineTicks = Stopwatch.GetTimestamp() + _timeoutTicks + extraTimeoutMs * Stopwatch.Frequency / 1000;
        await WriteAsync(key, version, request, pending, cancellationToken).ConfigureAwait(false);
        if (!cancellationToken.CanBeCanceled)
        {
            return await pending.Completion.Task.ConfigureAwait(false);
        }
        return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request that gets no response (Produce with acks=0).</summary>
    public Task SendOnewayAsync(ApiKey key, short version, IApiMessage request, CancellationToken cancellationToken = default)
        => WriteAsync(key, version, request, null, cancellationToken);

    private async Task WriteAsync(ApiKey key, short version, IApiMessage request, PendingRequest? pending, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        short headerVersion = ApiMessageVersions.RequestHeaderVersion(key, version);
        int bodySize = request.ComputeSize(version);
        var header = new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, ClientId = _clientId };
        int headerSize = header.ComputeSize(headerVersion);
        int total = 4 + headerSize + bodySize;
        byte[] frame = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfFailed();
                header.CorrelationId = ++_nextCorrelationId;
                Encode(frame, header, headerVersion, request, version, headerSize + bodySize);
                if (pending is not null)
                {
                    pending.CorrelationId = header.CorrelationId;
                    _pending[header.CorrelationId] = pending;
                }
                await _stream.WriteAsync(frame.AsMemory(0, total), _closed.Token).ConfigureAwait(false);
            }
            // The socket's own errors always; a cancellation only when it is this connection closing (a caller's
            // cancellation is theirs). Without the parentheses `&&` bound the whole `is` pattern, so a write that met a
            // reset before the read loop did escaped as IOException, and the producer failed its batches for good.
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException
                || (e is OperationCanceledException && _closed.IsCancellationRequested))
            {
                Fail(new KafkaException(ErrorCode.NetworkException, $"Lost the connection to {Host}:{Port}: {e.Message}", e));
                ThrowIfFailed();
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private static void Encode(byte[] frame, RequestHeader header, short headerVersion, IApiMessage request, short version, int size)
    {
        BinaryPrimitives.WriteInt32BigEndian(frame, size);
        var writer = new ProtocolWriter(frame.AsSpan(4, size));
        header.Write(ref writer, headerVersion);
        request.Write(ref writer, version);
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                byte[] frame = await _reader.ReadFrameAsync(_closed.Token).ConfigureAwait(false);
                int correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
                if (_pending.TryRemove(correlationId, out PendingRequest? pending))
                {
                    pending.Complete(frame);
                }
            }
        }
        catch (Exception e)
        {
            Fail(e as KafkaException ?? new KafkaException(ErrorCode.NetworkException, $"Lost the connection to {Host}:{Port}: {e.Message}", e));
        }
    }

    /// <summary>
    /// KIP-368: when the broker gave the session a lifetime, authenticate again on this connection at
    /// 85-95 % of it (as the Java client does); a failed re-authentication closes the connection.
    /// </summary>
    private void ScheduleReauthentication(long lifetimeMs)
    {
        if (lifetimeMs <= 0 || !IsAlive)
        {
            return;
        }
        long due = (long)(lifetimeMs * (0.85 + Random.Shared.NextDouble() * 0.10));
        _reauthTimer?.Dispose();
        _reauthTimer = new Timer(_ => _ = ReauthenticateAsync(), null, TimeSpan.FromMilliseconds(Math.Max(1, due)), Timeout.InfiniteTimeSpan);
    }

    private async Task ReauthenticateAsync()
    {
        try
        {
            long lifetime = await Security.SaslAuthenticator.AuthenticateAsync(this, _config, _closed.Token).ConfigureAwait(false);
            Reauthentications++;
            ScheduleReauthentication(lifetime);
        }
        catch (Exception e)
        {
            Fail(e as KafkaException ?? new KafkaException(ErrorCode.SaslAuthenticationFailed, $"Re-authentication with {Host}:{Port} failed: {e.Message}", e));
        }
    }

    /// <summary>Successful KIP-368 re-authentications on this connection (for tests).</summary>
    internal int Reauthentications { get; private set; }

    private void CheckTimeouts()
    {
        long now = Stopwatch.GetTimestamp();
        foreach (var entry in _pending)
        {
            if (entry.Value.DeadlineTicks < now)
            {
                Fail(new KafkaException(ErrorCode.RequestTimedOut, $"{entry.Value.ApiKey} to {Host}:{Port} got no response in time."));
                return;
            }
        }
    }

    private void Fail(Exception error)
    {
        if (Interlocked.CompareExchange(ref _failure, error, null) is not null)
        {
            return;
        }
        _closed.Cancel();
        _timeoutTimer.Dispose();
        _reauthTimer?.Dispose();
        try
        {
            _stream.Dispose();
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out PendingRequest? pending))
            {
                pending.Fail(error);
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw failure is KafkaException k ? new KafkaException(k.ErrorCode, k.Message, k) : failure;
        }
    }

    public ValueTask DisposeAsync()
    {
        Fail(new KafkaException(ErrorCode.NetworkException, $"The connection to {Host}:{Port} was closed."));
        return ValueTask.CompletedTask;
    }
}
