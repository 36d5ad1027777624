using System.Buffers.Binary;
using System.Net.Sockets;
using Rill.Protocol;

namespace Rill.Broker.Tests;

/// <summary>
/// A bare Kafka connection for tests: sends raw frames or typed requests and reads raw or typed
/// responses, so tests can speak exactly the bytes they mean (including bad ones).
/// </summary>
internal sealed class WireClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private int _correlationId;

    private WireClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<WireClient> ConnectAsync(string bootstrap)
    {
        string[] parts = bootstrap.Split(',')[0].Split(':');
        var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(Timeout);
        await tcp.ConnectAsync(parts[0], int.Parse(parts[1]), cts.Token);
        return new WireClient(tcp);
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _stream.WriteAsync(bytes, cts.Token);
        await _stream.FlushAsync(cts.Token);
    }

    /// <summary>The client id sent in request headers.</summary>
    public string ClientId { get; set; } = "wire-test";

    public Task SendAsync(ApiKey key, short version, IApiMessage request, int? correlationId = null)
        => SendRawAsync(Frame(key, version, request, correlationId ?? ++_correlationId, ClientId));

    public static byte[] Frame(ApiKey key, short version, IApiMessage request, int correlationId, string clientId = "wire-test")
    {
        short headerVersion = ApiMessageVersions.RequestHeaderVersion(key, version);
        var header = new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = correlationId, ClientId = clientId };
        int headerSize = header.ComputeSize(headerVersion);
        int bodySize = request.ComputeSize(version);
        byte[] frame = new byte[4 + headerSize + bodySize];
        BinaryPrimitives.WriteInt32BigEndian(frame, headerSize + bodySize);
        var writer = new ProtocolWriter(frame.AsSpan(4));
        header.Write(ref writer, headerVersion);
        request.Write(ref writer, version);
        return frame;
    }

    /// <summary>Reads one response frame (without its size prefix), or null if the broker closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        byte[] size = new byte[4];
        if (!await ReadExactlyOrEofAsync(size, cts.Token))
        {
            return null;
        }
        byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        return await ReadExactlyOrEofAsync(frame, cts.Token) ? frame : null;
    }

    public async Task<TResponse> RequestAsync<TResponse>(ApiKey key, short version, IApiMessage request)
        where TResponse : IApiMessage, new()
    {
        int correlationId = ++_correlationId;
        await SendAsync(key, version, request, correlationId);
        byte[] frame = await ReadFrameAsync() ?? throw new IOException($"The broker closed the connection instead of answering {key} v{version}.");
        return Parse<TResponse>(frame, key, version, correlationId);
    }

    public static TResponse Parse<TResponse>(byte[] frame, ApiKey key, short version, int expectedCorrelationId)
        where TResponse : IApiMessage, new()
    {
        var reader = new ProtocolReader(frame);
        var header = new ResponseHeader();
        header.Read(ref reader, ApiMessageVersions.ResponseHeaderVersion(key, version));
        Assert.Equal(expectedCorrelationId, header.CorrelationId);
        var response = new TResponse();
        response.Read(ref reader, version);
        return response;
    }

    /// <summary>True when the broker has closed the connection (reads hit end of stream).</summary>
    public async Task<bool> IsClosedByPeerAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        byte[] one = new byte[1];
        try
        {
            return await _stream.ReadAsync(one, cts.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<bool> ReadExactlyOrEofAsync(byte[] buffer, CancellationToken token)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), token);
            }
            catch (IOException)
            {
                return false;
            }
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
