using System.Buffers.Binary;
using System.Net.Sockets;
using Rill.Protocol;

namespace Rill.Broker.Replication;

/// <summary>
/// A follower's connection to a partition leader: one request at a time (send a frame, read its response),
/// Kafka's framing (int32 size, request header, body). It connects to the leader's endpoint on the inter-broker
/// listener, with that listener's TLS and SASL (<see cref="InterBrokerSecurity"/>).
/// </summary>
internal sealed class ReplicaChannel : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly string _clientId;
    private int _correlationId;

    private ReplicaChannel(TcpClient client, Stream stream, string clientId)
    {
        _client = client;
        _stream = stream;
        _clientId = clientId;
    }

    /// <summary>Connects to <paramref name="leader"/>'s endpoint on the inter-broker listener, then TLS and SASL as that listener uses them.</summary>
    public static async Task<ReplicaChannel> ConnectAsync(Rill.Cluster.BrokerInfo leader, InterBrokerSecurity security, int nodeId, CancellationToken cancellationToken)
    {
        var (host, port) = leader.EndpointFor(security.ListenerName)
            ?? throw new IOException($"Broker {leader.Id} has no {security.ListenerName} listener (inter.broker.listener.name).");
        ReplicaChannel channel = await ConnectAsync(host, port, nodeId, cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            Stream secured = await security.SecureAsync(channel._stream, host, timeout.Token).ConfigureAwait(false);
            var result = new ReplicaChannel(channel._client, secured, channel._clientId);
            await security.AuthenticateAsync(result, timeout.Token).ConfigureAwait(false);
            return result;
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"TLS with broker {leader.Id} at {host}:{port} failed: {e.Message}", e);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
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
        return new ReplicaChannel(client, client.GetStream(), $"rill-replica-fetcher-{nodeId}");
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
