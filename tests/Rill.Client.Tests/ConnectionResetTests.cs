using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Tests;

/// <summary>
/// A request written to a connection the broker has just reset fails as NETWORK_EXCEPTION (retriable, so a producer
/// reconnects and sends its batches again), whichever notices the reset first: the write or the read loop. The write
/// used to let the socket's IOException through when it came first, and the producer then failed its batches as
/// UNKNOWN_SERVER_ERROR (not retriable): ResilienceTests' broker restart failed that way in CI once.
/// </summary>
public class ConnectionResetTests
{
    [Fact]
    public async Task A_write_after_the_broker_reset_the_connection_is_a_retriable_network_error()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var config = new AdminClientConfig { BootstrapServers = $"127.0.0.1:{port}", RequestTimeoutMs = 10_000 };
        for (int round = 0; round < 20; round++)
        {
            Task<Socket> serving = ServeApiVersionsAsync(listener);
            await using BrokerConnection connection = await BrokerConnection.ConnectAsync("127.0.0.1", port, 0, config, CancellationToken.None);
            using Socket server = await serving;
            server.LingerState = new LingerOption(true, 0); // close with a reset
            server.Close();

            // At once, before the read loop has (usually) seen the reset: the write meets it first.
            var error = await Assert.ThrowsAsync<KafkaException>(
                () => connection.SendAsync<MetadataResponse>(ApiKey.Metadata, 1, new MetadataRequest()));
            Assert.Equal(ErrorCode.NetworkException, error.ErrorCode);
            Assert.True(error.IsRetriable);
        }
    }

    /// <summary>Accepts one connection and answers its ApiVersions request (v3) with Metadata v0-12.</summary>
    private static async Task<Socket> ServeApiVersionsAsync(TcpListener listener)
    {
        Socket socket = await listener.AcceptSocketAsync();
        byte[] size = new byte[4];
        await ReceiveExactlyAsync(socket, size);
        byte[] request = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
        await ReceiveExactlyAsync(socket, request);
        short version = BinaryPrimitives.ReadInt16BigEndian(request.AsSpan(2));
        int correlationId = BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(4));
        var response = new ApiVersionsResponse
        {
            ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ApiVersions, MinVersion = 0, MaxVersion = 3 },
                       new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.Metadata, MinVersion = 0, MaxVersion = 12 }],
        };
        int bodySize = response.ComputeSize(version);
        byte[] frame = new byte[8 + bodySize];
        BinaryPrimitives.WriteInt32BigEndian(frame, 4 + bodySize);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), correlationId); // ApiVersions answers with header v0
        var writer = new ProtocolWriter(frame.AsSpan(8));
        response.Write(ref writer, version);
        await socket.SendAsync(frame);
        return socket;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        for (int read = 0; read < buffer.Length;)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                throw new IOException("the client closed the connection");
            }
            read += n;
        }
    }
}
