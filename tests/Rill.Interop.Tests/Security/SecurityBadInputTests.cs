using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Rill.Interop.Tests.Security;

/// <summary>
/// Raw sockets against the secured listeners: before authentication only ApiVersions and the SASL
/// handshake are served, pre-auth frames are small, and TLS ports refuse garbage and plaintext
/// clients, each without affecting other connections.
/// </summary>
public class SecurityBadInputTests(SecureBrokerFixture fixture) : IClassFixture<SecureBrokerFixture>
{
    private static async Task<TcpClient> ConnectAsync(string endpoint)
    {
        var client = new TcpClient();
        string[] parts = endpoint.Split(':');
        await client.ConnectAsync(parts[0], int.Parse(parts[1]));
        return client;
    }

    /// <summary>A v1 header (api key, version, correlation id, client id "t") followed by the body.</summary>
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

    private static byte[] String16(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        var result = new byte[2 + bytes.Length];
        BinaryPrimitives.WriteInt16BigEndian(result, (short)bytes.Length);
        bytes.CopyTo(result, 2);
        return result;
    }

    /// <summary>Reads one response frame, or null when the broker closed the connection.</summary>
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

    private static async Task AssertServesApiVersionsAsync(string endpoint)
    {
        using TcpClient client = await ConnectAsync(endpoint);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Request(18, 0, []));
        byte[]? response = await ReadFrameAsync(stream);
        Assert.NotNull(response);
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4))); // error code after the correlation id
    }

    [Fact]
    public async Task Metadata_before_sasl_authentication_closes_the_connection()
    {
        using TcpClient client = await ConnectAsync(fixture.SaslPlaintext);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Request(18, 0, []));
        Assert.NotNull(await ReadFrameAsync(stream));
        await stream.WriteAsync(Request(3, 0, [0, 0, 0, 0])); // Metadata v0, no topics
        Assert.Null(await ReadFrameAsync(stream));
        await AssertServesApiVersionsAsync(fixture.SaslPlaintext);
    }

    [Fact]
    public async Task An_oversized_frame_before_authentication_closes_the_connection()
    {
        using TcpClient client = await ConnectAsync(fixture.SaslPlaintext);
        NetworkStream stream = client.GetStream();
        var size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, 524288 + 1); // sasl.server.max.receive.size + 1
        await stream.WriteAsync(size);
        Assert.Null(await ReadFrameAsync(stream));
        await AssertServesApiVersionsAsync(fixture.SaslPlaintext);
    }

    [Fact]
    public async Task An_unknown_mechanism_is_refused_with_the_supported_list()
    {
        using TcpClient client = await ConnectAsync(fixture.SaslPlaintext);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Request(17, 1, String16("GSSAPI")));
        byte[]? response = await ReadFrameAsync(stream);
        Assert.NotNull(response);
        Assert.Equal(33, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4))); // UNSUPPORTED_SASL_MECHANISM
        Assert.Contains("PLAIN", Encoding.UTF8.GetString(response));
    }

    [Fact]
    public async Task Sasl_handshake_v0_with_a_raw_plain_token_authenticates()
    {
        using TcpClient client = await ConnectAsync(fixture.SaslPlaintext);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Request(17, 0, String16("PLAIN")));
        byte[]? handshake = await ReadFrameAsync(stream);
        Assert.NotNull(handshake);
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(handshake.AsSpan(4)));
        byte[] token = Encoding.UTF8.GetBytes($"\0{SecureBrokerFixture.User}\0{SecureBrokerFixture.Password}");
        var frame = new byte[4 + token.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, token.Length);
        token.CopyTo(frame, 4);
        await stream.WriteAsync(frame);
        byte[]? reply = await ReadFrameAsync(stream);
        Assert.NotNull(reply);
        Assert.Empty(reply);
        await stream.WriteAsync(Request(3, 0, [0, 0, 0, 0])); // Metadata is served now
        Assert.NotNull(await ReadFrameAsync(stream));
    }

    [Fact]
    public async Task Garbage_and_plaintext_kafka_on_a_tls_port_are_closed_and_tls_keeps_working()
    {
        foreach (byte[] junk in new[] { Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"), Request(18, 0, []), new byte[] { 0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3 } })
        {
            using TcpClient client = await ConnectAsync(fixture.Ssl);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync(junk);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var buffer = new byte[4096];
            int read;
            do
            {
                try
                {
                    read = await stream.ReadAsync(buffer, timeout.Token); // an alert at most, then end of stream
                }
                catch (IOException)
                {
                    read = 0;
                }
            }
            while (read > 0);
        }
        await ExternalTool.RunOkAsync("kcat", ["-b", fixture.Ssl, "-X", "security.protocol=ssl", "-X", $"ssl.ca.location={fixture.Certificates.CaPem}", "-L"]);
    }
}
