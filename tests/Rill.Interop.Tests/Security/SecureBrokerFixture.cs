using Rill.Hosting;
using Xunit;

namespace Rill.Interop.Tests.Security;

/// <summary>
/// One embedded broker with four listeners, configured as a Kafka operator would: PLAINTEXT, SSL
/// (PEM keystore, client certificates requested), SASL_PLAINTEXT and SASL_SSL with PLAIN users
/// from PlainLoginModule entries.
/// </summary>
public sealed class SecureBrokerFixture : IAsyncLifetime
{
    public const string User = "alice", Password = "alice-secret";
    public const string ScramUser = "scram-alice", ScramPassword = "scram-secret, with = signs";
    public const string Issuer = "https://issuer.rill.test", Audience = "rill-broker";

    /// <summary>Signs OAUTHBEARER tokens; its public key is the broker's JWKS.</summary>
    public TestJwt Jwt { get; } = new();

    /// <summary>A token the broker accepts for <paramref name="subject"/>, valid for <paramref name="seconds"/>.</summary>
    public string Token(string subject, long seconds = 600) =>
        Jwt.Rs256(new { sub = subject, iss = Issuer, aud = Audience, iat = TestJwt.Now, exp = TestJwt.Now + seconds });

    public TestCertificates Certificates { get; } = new();
    public EmbeddedBroker Broker { get; private set; } = null!;

    public string Plaintext => Endpoint(0);
    public string Ssl => Endpoint(1);
    public string SaslPlaintext => Endpoint(2);
    public string SaslSsl => Endpoint(3);

    private string Endpoint(int i) => $"127.0.0.1:{Broker.Host.KafkaEndPoints[i].Port}";

    public async Task InitializeAsync()
    {
        const string jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\" "
            + "user_admin=\"admin-secret\" user_alice=\"alice-secret\";";
        string jwks = Certificates.Path("jwks.json");
        await File.WriteAllTextAsync(jwks, Jwt.Jwks());
        Broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0",
            ["num.partitions"] = "1",
            ["group.initial.rebalance.delay.ms"] = "0",
            ["ssl.keystore.type"] = "PEM",
            ["ssl.keystore.location"] = Certificates.ServerPem,
            ["ssl.truststore.type"] = "PEM",
            ["ssl.truststore.location"] = Certificates.CaPem,
            ["listener.name.ssl.ssl.client.auth"] = "requested",
            ["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER",
            ["sasl.oauthbearer.jwks.endpoint.url"] = new Uri(jwks).AbsoluteUri,
            ["sasl.oauthbearer.expected.issuer"] = Issuer,
            ["sasl.oauthbearer.expected.audience"] = Audience,
            ["rill.sasl.max.failed.logins.per.ip"] = "0",
            ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = jaas,
            ["listener.name.sasl_ssl.plain.sasl.jaas.config"] = jaas,
            ["connection.failed.authentication.delay.ms"] = "50",
        });
        await using var admin = new Rill.Client.AdminClient(new Rill.Client.AdminClientConfig { BootstrapServers = Plaintext });
        await admin.UpsertUserScramCredentialAsync(ScramUser, Rill.Protocol.Sasl.ScramMechanism.ScramSha256, ScramPassword, 8192);
        await admin.UpsertUserScramCredentialAsync(ScramUser, Rill.Protocol.Sasl.ScramMechanism.ScramSha512, ScramPassword);
    }

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        Certificates.Dispose();
        Jwt.Dispose();
    }
}
