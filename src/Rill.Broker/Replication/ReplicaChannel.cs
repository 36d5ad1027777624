using System.Buffers.Binary;
using System.Net.Sockets;
using Rill.Protocol;

namespace Rill.Broker.Replication;

/// <summary>
/// A follower's connection to a partition leader: one request at a time (send a frame, read its response),
/// Kafka's framing (int32 size, request header, body). Inter-broker traffic is plaintext to the leader's
/// registered (first advertised) listener.
/// </summary>
internal sealed class ReplicaChannel : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly string _clientId;
    private int _correlationId;

    private ReplicaChannel(TcpClient client, string clientId)
    {
        _client = client;
        _stream = client.GetStream();
        _clientId = clientId;
    }

    public static async Task<ReplicaChannel> ConnectAsync(string host, int port, int nodeId, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return new ReplicaChannel(client, $"rill-replica-fetcher-{nodeId}");
    }

    public async Task<T> SendAsync<T>(ApiKey key, short version, IApiMessage request, TimeSpan timeout, CancellationToken cancellationToken)
        where T : IApiMessage, new()
    {
        var header = new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = ++_correlationId, ClientId = _clientId };
        short headerVersion = ApiMessageVersions.RequestHeaderVersion(key, version);
        int size = header.ComputeSize(headerVersion) + request.ComputeSize(version);
        byte[] frame = new byte[4 + size];
        BinaryPrimitives.WriteInt32BigEndian(frame, size);
        var writer = new ProtocolWriter(frame.AsSpan(4));
        header.Write(ref writer, headerVersion);
        request.Write(ref writer, version);

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        await _stream.WriteAsync(frame, bounded.Token).ConfigureAwait(false);
        byte[] sizeBytes = new byte[4];
        await _stream.ReadExactlyAsync(sizeBytes, bounded.Token).ConfigureAwait(false);
        int length = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        if (length < 4 || length > 256 * 1024 * 1024)
        {
            throw new IOException($"Bad response size {length}");
        }
        byte[] body = new byte[length];
        await _stream.ReadExactlyAsync(body, bounded.Token).ConfigureAwait(false);
        return Parse<T>(body, key, version, header.CorrelationId);
    }

    private static T Parse<T>(byte[] body, ApiKey key, short version, int correlationId) where T : IApiMessage, new()
    {
        var reader = new ProtocolReader(body);
        var responseHeader = new ResponseHeader();
        responseHeader.Read(ref reader, ApiMessageVersions.ResponseHeaderVersion(key, version));
        if (responseHeader.CorrelationId != correlationId)
        {
            throw new IOException($"Response for correlation id {responseHeader.CorrelationId}, expected {correlationId}");
        }
        var response = new T();
        response.Read(ref reader, version);
        return response;
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
