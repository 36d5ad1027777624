using Confluent.Kafka;

namespace Rill.Interop.Tests.Security;

/// <summary>Confluent.Kafka (.NET, over Debian's librdkafka) with SCRAM-SHA-512 over SASL_SSL.</summary>
public class SecurityConfluentDotnetTests(SecureBrokerFixture fixture) : IClassFixture<SecureBrokerFixture>
{
    [Fact]
    public async Task Scram_sha_512_over_sasl_ssl_round_trips()
    {
        ConfluentNative.Load();
        const string topic = "dotnet-scram";
        var client = new ClientConfig
        {
            BootstrapServers = fixture.SaslSsl,
            SecurityProtocol = SecurityProtocol.SaslSsl,
            SaslMechanism = SaslMechanism.ScramSha512,
            SaslUsername = SecureBrokerFixture.ScramUser,
            SaslPassword = SecureBrokerFixture.ScramPassword,
            SslCaLocation = fixture.Certificates.CaPem,
        };
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig(client) { Acks = Acks.All }).Build())
        {
            for (int i = 0; i < 10; i++)
            {
                var result = await producer.ProduceAsync(topic, new Message<Null, string> { Value = $"v{i}" });
                Assert.Equal(PersistenceStatus.Persisted, result.Status);
            }
        }
        using var consumer = new ConsumerBuilder<Null, string>(new ConsumerConfig(client)
        {
            GroupId = "dotnet-scram-group", AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        var got = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (got.Count < 10 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(1)) is { } r)
            {
                got.Add(r.Message.Value);
            }
        }
        consumer.Close();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}"), got);
    }
}
