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
            ["sasl.enabled.mechanisms"] = "PLAIN",
            ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = jaas,
            ["listener.name.sasl_ssl.plain.sasl.jaas.config"] = jaas,
            ["connection.failed.authentication.delay.ms"] = "50",
        });
    }

    public async Task DisposeAsync()
    {
        await Broker.DisposeAsync();
        Certificates.Dispose();
    }
}
