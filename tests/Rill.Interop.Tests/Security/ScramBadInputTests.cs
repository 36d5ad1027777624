using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Rill.Protocol.Sasl;

namespace Rill.Interop.Tests.Security;

/// <summary>
/// SCRAM over raw sockets: a client-final replayed on a new connection, garbage and truncated
/// messages are refused with SASL_AUTHENTICATION_FAILED and close only that connection.
/// </summary>
public class ScramBadInputTests(SecureBrokerFixture fixture) : IClassFixture<SecureBrokerFixture>
{
    private sealed class Connection : IDisposable
    {
        private readonly TcpClient _client = new();
        private NetworkStream _stream = null!;
        private int _correlation;

        public static async Task<Connection> OpenAsync(string endpoint)
        {
            var c = new Connection();
            string[] parts = endpoint.Split(':');
            await c._client.ConnectAsync(parts[0], int.Parse(parts[1]));
            c._stream = c._client.GetStream();
            byte[] mechanism = Encoding.UTF8.GetBytes("SCRAM-SHA-256");
            var body = new byte[2 + mechanism.Length];
            BinaryPrimitives.WriteInt16BigEndian(body, (short)mechanism.Length);
            mechanism.CopyTo(body, 2);
            byte[]? handshake = await c.SendAsync(17, body);
            Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(handshake.AsSpan(4)));
            return c;
        }

        /// <summary>SaslAuthenticate v1: returns (error code, auth bytes), or null when the broker closed the connection.</summary>
        public async Task<(short Error, byte[] Auth)?> AuthenticateAsync(byte[] token)
        {
            var body = new byte[4 + token.Length];
            BinaryPrimitives.WriteInt32BigEndian(body, token.Length);
            token.CopyTo(body, 4);
            byte[]? response = await SendAsync(36, body);
            if (response is null)
            {
                return null;
            }
            short error = BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4));
            int at = 6;
            short messageLength = BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(at));
            at += 2 + Math.Max((short)0, messageLength);
            int authLength = BinaryPrimitives.ReadInt32BigEndian(response.AsSpan(at));
            return (error, response.AsSpan(at + 4, authLength).ToArray());
        }

        private async Task<byte[]?> SendAsync(short apiKey, byte[] body)
        {
            var frame = new byte[4 + 2 + 2 + 4 + 2 + body.Length];
            BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
            BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), apiKey);
            BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), 1);
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(8), ++_correlation);
            BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), -1);
            body.CopyTo(frame.AsSpan(14));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _stream.WriteAsync(frame, timeout.Token);
                var size = new byte[4];
                await _stream.ReadExactlyAsync(size, timeout.Token);
                var response = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
                await _stream.ReadExactlyAsync(response, timeout.Token);
                return response;
            }
            catch (Exception e) when (e is EndOfStreamException or IOException)
            {
                return null;
            }
        }

        public async Task<bool> ClosedAsync() => await SendAsync(18, []) is null;

        public void Dispose() => _client.Dispose();
    }

    private static string ClientFinal(string clientFirstBare, string serverFirst)
    {
        var attributes = ScramAttributes.Parse(serverFirst)!;
        byte[] salted = ScramFunctions.SaltedPassword(ScramMechanism.ScramSha256, SecureBrokerFixture.ScramPassword,
            Convert.FromBase64String(attributes.Get('s')!), int.Parse(attributes.Get('i')!));
        string withoutProof = "c=biws,r=" + attributes.Get('r');
        byte[] proof = ScramFunctions.ClientProof(ScramMechanism.ScramSha256, salted, clientFirstBare + "," + serverFirst + "," + withoutProof);
        return withoutProof + ",p=" + Convert.ToBase64String(proof);
    }

    [Fact]
    public async Task A_client_final_replayed_on_another_connection_is_refused()
    {
        string bare = $"n={SecureBrokerFixture.ScramUser},r=fixed-client-nonce";
        string final;
        using (Connection first = await Connection.OpenAsync(fixture.SaslPlaintext))
        {
            var serverFirst = await first.AuthenticateAsync(Encoding.UTF8.GetBytes("n,," + bare));
            Assert.Equal(0, serverFirst!.Value.Error);
            final = ClientFinal(bare, Encoding.UTF8.GetString(serverFirst.Value.Auth));
            var done = await first.AuthenticateAsync(Encoding.UTF8.GetBytes(final));
            Assert.Equal(0, done!.Value.Error);
            Assert.StartsWith("v=", Encoding.UTF8.GetString(done.Value.Auth));
            Assert.False(await first.ClosedAsync());
        }
        using Connection second = await Connection.OpenAsync(fixture.SaslPlaintext);
        Assert.Equal(0, (await second.AuthenticateAsync(Encoding.UTF8.GetBytes("n,," + bare)))!.Value.Error);
        var replayed = await second.AuthenticateAsync(Encoding.UTF8.GetBytes(final));
        Assert.Equal(58, replayed!.Value.Error); // SASL_AUTHENTICATION_FAILED
        Assert.True(await second.ClosedAsync());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated-first")]
    [InlineData("truncated-final")]
    public async Task Garbage_and_truncated_messages_fail_that_connection_only(string kind)
    {
        using Connection bystander = await Connection.OpenAsync(fixture.SaslPlaintext);
        string bare = $"n={SecureBrokerFixture.ScramUser},r=bystander";
        var bystanderFirst = await bystander.AuthenticateAsync(Encoding.UTF8.GetBytes("n,," + bare));

        using Connection bad = await Connection.OpenAsync(fixture.SaslPlaintext);
        (short, byte[])? result;
        if (kind == "garbage")
        {
            result = await bad.AuthenticateAsync([0xff, 0x00, 0x13, 0x37, (byte)',', (byte)'=']);
        }
        else if (kind == "truncated-first")
        {
            result = await bad.AuthenticateAsync(Encoding.UTF8.GetBytes($"n,,n={SecureBrokerFixture.ScramUser}"));
        }
        else
        {
            string badBare = $"n={SecureBrokerFixture.ScramUser},r=trunc";
            var serverFirst = await bad.AuthenticateAsync(Encoding.UTF8.GetBytes("n,," + badBare));
            string final = ClientFinal(badBare, Encoding.UTF8.GetString(serverFirst!.Value.Auth));
            result = await bad.AuthenticateAsync(Encoding.UTF8.GetBytes(final[..(final.Length / 2)]));
        }
        Assert.Equal(58, result!.Value.Item1);
        Assert.True(await bad.ClosedAsync());

        var done = await bystander.AuthenticateAsync(Encoding.UTF8.GetBytes(ClientFinal(bare, Encoding.UTF8.GetString(bystanderFirst!.Value.Auth))));
        Assert.Equal(0, done!.Value.Error);
        Assert.False(await bystander.ClosedAsync());
    }
}
