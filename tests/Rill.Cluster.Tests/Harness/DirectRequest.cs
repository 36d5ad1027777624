using System.Buffers.Binary;
using System.Net.Sockets;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Cluster.Tests.Harness;

/// <summary>
/// One request to one broker over a fresh PLAINTEXT connection, nowhere else: the admin clients send admin
/// requests to the controller, a test that must say "through broker 2" sends it here.
/// </summary>
public static class DirectRequest
{
    public static async Task<T> SendAsync<T>(int port, ApiKey key, short version, IApiMessage request) where T : IApiMessage, new()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync("127.0.0.1", port, timeout.Token);
        NetworkStream stream = client.GetStream();
        short headerVersion = ApiMessageVersions.RequestHeaderVersion(key, version);
        var header = new RequestHeader { RequestApiKey = (short)key, RequestApiVersion = version, CorrelationId = 7, ClientId = "cluster-test" };
        int size = header.ComputeSize(headerVersion) + request.ComputeSize(version);
        byte[] frame = new byte[4 + size];
        BinaryPrimitives.WriteInt32BigEndian(frame, size);
        var writer = new ProtocolWriter(frame.AsSpan(4));
        header.Write(ref writer, headerVersion);
        request.Write(ref writer, version);
        await stream.WriteAsync(frame, timeout.Token);

        byte[] prefix = new byte[4];
        await stream.ReadExactlyAsync(prefix, timeout.Token);
        byte[] body = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        await stream.ReadExactlyAsync(body, timeout.Token);
        return Parse<T>(body, key, version);
    }

    private static T Parse<T>(byte[] body, ApiKey key, short version) where T : IApiMessage, new()
    {
        var reader = new ProtocolReader(body);
        new ResponseHeader().Read(ref reader, ApiMessageVersions.ResponseHeaderVersion(key, version));
        var response = new T();
        response.Read(ref reader, version);
        return response;
    }
}
