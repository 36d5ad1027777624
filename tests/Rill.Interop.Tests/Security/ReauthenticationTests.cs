using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Rill.Client;
using Rill.Hosting;

namespace Rill.Interop.Tests.Security;

/// <summary>
/// KIP-368 against a broker with connections.max.reauth.ms=1500: Rill.Client re-authenticates on
/// its live connections while producing; a client that never re-authenticates has its connection
/// closed at its first request after the session ended.
/// </summary>
public sealed class ReauthenticationTests : IAsyncLifetime
{
    private EmbeddedBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
    {
        ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0",
        ["sasl.enabled.mechanisms"] = "PLAIN",
        ["sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"alice-secret\";",
        ["connections.max.reauth.ms"] = "1500",
        ["num.partitions"] = "1",
    });

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Rill_client_reauthenticates_on_live_connections_and_keeps_producing()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = _broker.BootstrapServers, LingerMs = 1,
            SecurityProtocol = "SASL_PLAINTEXT", SaslUsername = "alice", SaslPassword = "alice-secret",
        };
        await using var producer = new Producer<string, string>(config);
        int sent = 0;
        await Eventually.TrueAsync(async () =>
        {
            await producer.ProduceAsync("reauth", "k", $"v{sent++}").WaitAsync(TimeSpan.FromSeconds(30));
            return _broker.Host.Broker.Security.Reauthentications >= 2;
        }, "two re-authentications while producing", TimeSpan.FromSeconds(30));
        await producer.ProduceAsync("reauth", "k", "after").WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static byte[] Request(short apiKey, short version, byte[] body)
    {
        var frame = new byte[4 + 2 + 2 + 4 + 2 + 1 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), apiKey);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), version);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), 7);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), 1);
        frame[14] = (byte)'t';
        body.CopyTo(frame.AsSpan(15));
        return frame;
    }

    private static byte[] Bytes16(byte[] data, bool int32Length)
    {
        var result = new byte[(int32Length ? 4 : 2) + data.Length];
        if (int32Length)
        {
            BinaryPrimitives.WriteInt32BigEndian(result, data.Length);
        }
        else
        {
            BinaryPrimitives.WriteInt16BigEndian(result, (short)data.Length);
        }
        data.CopyTo(result, int32Length ? 4 : 2);
        return result;
    }

    private static async Task<byte[]?> ReadFrameAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var size = new byte[4];
        try
        {
            await stream.ReadExactlyAsync(size, timeout.Token);
            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
            await stream.ReadExactlyAsync(body, timeout.Token);
            return body;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return null;
        }
    }

    [Fact]
    public async Task A_connection_that_does_not_reauthenticate_is_closed_after_its_session_ends()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _broker.Port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Request(17, 1, Bytes16(Encoding.UTF8.GetBytes("PLAIN"), false)));
        Assert.NotNull(await ReadFrameAsync(stream));
        await stream.WriteAsync(Request(36, 1, Bytes16(Encoding.UTF8.GetBytes("\0alice\0alice-secret"), true)));
        byte[]? auth = await ReadFrameAsync(stream);
        Assert.NotNull(auth);
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(auth.AsSpan(4)));
        long lifetime = BinaryPrimitives.ReadInt64BigEndian(auth.AsSpan(auth.Length - 8));
        Assert.InRange(lifetime, 1, 1500);
        long started = Environment.TickCount64;
        int served = 0;
        byte[]? response;
        do
        {
            await Task.Delay(100);
            try
            {
                await stream.WriteAsync(Request(3, 0, [0, 0, 0, 0]));
                response = await ReadFrameAsync(stream);
            }
            catch (IOException)
            {
                response = null;
            }
            served += response is null ? 0 : 1;
        }
        while (response is not null && Environment.TickCount64 - started < 10_000);
        Assert.Null(response);
        Assert.True(served >= 1, "Metadata was served while the session was live");
        Assert.InRange(Environment.TickCount64 - started, 1000, 10_000);
    }
}
