using System.Text;
using Rill.Client;
using Rill.Client.Network.Security;
using Rill.Protocol;
using Rill.Protocol.Sasl;

namespace Rill.Client.Tests;

/// <summary>The client side of SCRAM: a proof the server accepts, and a server that does not know the password is detected.</summary>
public class ScramClientTests
{
    private static readonly byte[] Salt = [9, 8, 7, 6];

    /// <summary>Plays the server: returns (server-first, expected client proof, server-final) for the client's first message.</summary>
    private static (string ServerFirst, string AuthMessageWithoutFinal, byte[] Salted) Server(string clientFirst, string password)
    {
        string bare = clientFirst[3..];
        string nonce = ScramAttributes.Parse(bare)!.Get('r') + "srv";
        string serverFirst = $"r={nonce},s={Convert.ToBase64String(Salt)},i=4096";
        return (serverFirst, bare + "," + serverFirst, ScramFunctions.SaltedPassword(ScramMechanism.ScramSha256, password, Salt, 4096));
    }

    [Fact]
    public void The_client_proves_the_password_and_checks_the_server_signature()
    {
        var client = new ScramClient(ScramMechanism.ScramSha256, "u,ser", "pw");
        string first = Encoding.UTF8.GetString(client.First());
        Assert.StartsWith("n,,n=u=2Cser,r=", first);
        var (serverFirst, auth, salted) = Server(first, "pw");
        string final = Encoding.UTF8.GetString(client.Next(Encoding.UTF8.GetBytes(serverFirst))!);
        string withoutProof = final[..final.LastIndexOf(",p=", StringComparison.Ordinal)];
        string authMessage = auth + "," + withoutProof;
        byte[] storedKey = ScramFunctions.StoredKey(ScramMechanism.ScramSha256, ScramFunctions.ClientKey(ScramMechanism.ScramSha256, salted));
        Assert.True(ScramFunctions.VerifyClientProof(ScramMechanism.ScramSha256, storedKey, authMessage,
            Convert.FromBase64String(final[(final.LastIndexOf(",p=", StringComparison.Ordinal) + 3)..])));
        string signature = Convert.ToBase64String(ScramFunctions.ServerSignature(ScramMechanism.ScramSha256,
            ScramFunctions.ServerKey(ScramMechanism.ScramSha256, salted), authMessage));
        Assert.Null(client.Next(Encoding.UTF8.GetBytes("v=" + signature)));
    }

    [Fact]
    public void A_server_that_does_not_know_the_password_is_refused()
    {
        var client = new ScramClient(ScramMechanism.ScramSha256, "user", "pw");
        var (serverFirst, auth, _) = Server(Encoding.UTF8.GetString(client.First()), "pw");
        string final = Encoding.UTF8.GetString(client.Next(Encoding.UTF8.GetBytes(serverFirst))!);
        byte[] wrongSalted = ScramFunctions.SaltedPassword(ScramMechanism.ScramSha256, "other", Salt, 4096);
        string forged = Convert.ToBase64String(ScramFunctions.ServerSignature(ScramMechanism.ScramSha256,
            ScramFunctions.ServerKey(ScramMechanism.ScramSha256, wrongSalted), auth + "," + final[..final.LastIndexOf(",p=", StringComparison.Ordinal)]));
        var e = Assert.Throws<KafkaException>(() => client.Next(Encoding.UTF8.GetBytes("v=" + forged)));
        Assert.Equal(ErrorCode.SaslAuthenticationFailed, e.ErrorCode);
    }

    [Theory]
    [InlineData("r=notmine,s=AQID,i=4096")]
    [InlineData("s=AQID,i=4096")]
    public void A_server_first_message_with_a_foreign_nonce_or_missing_parts_is_refused(string serverFirst)
    {
        var client = new ScramClient(ScramMechanism.ScramSha256, "user", "pw");
        client.First();
        Assert.Throws<KafkaException>(() => client.Next(Encoding.UTF8.GetBytes(serverFirst)));
    }

    [Fact]
    public void Too_few_iterations_from_the_server_are_refused()
    {
        var client = new ScramClient(ScramMechanism.ScramSha256, "user", "pw");
        string first = Encoding.UTF8.GetString(client.First());
        string nonce = ScramAttributes.Parse(first[3..])!.Get('r') + "x";
        Assert.Throws<KafkaException>(() => client.Next(Encoding.UTF8.GetBytes($"r={nonce},s=AQID,i=1")));
    }

    [Fact]
    public void Security_properties_are_set_by_librdkafka_names()
    {
        var config = new ProducerConfig();
        Assert.True(config.Set("security.protocol", "sasl_ssl"));
        Assert.True(config.Set("sasl.mechanisms", "SCRAM-SHA-512"));
        Assert.True(config.Set("ssl.endpoint.identification.algorithm", ""));
        Assert.Equal("SASL_SSL", config.SecurityProtocol);
        Assert.Equal("SCRAM-SHA-512", config.SaslMechanism);
        Assert.Equal("none", config.SslEndpointIdentificationAlgorithm);
        Assert.False(config.Set("linger.ms.typo", "1"));
        Assert.Throws<ArgumentException>(() => config.Set("security.protocol", "TLS"));
        Assert.Throws<ArgumentException>(() => config.Set("sasl.mechanism", "GSSAPI"));
    }
}
