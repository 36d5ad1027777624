using System.Text.Json;
using Rill.Hosting;
using Rill.Tracking.Hosting;

namespace Rill.Tracking.Tests;

/// <summary>The app pointed at a broker that only has a SASL_PLAINTEXT listener, through --kafka-property.</summary>
public sealed class SecuredBrokerTests
{
    [Fact]
    public void Kafka_properties_are_parsed_as_key_value_pairs()
    {
        var o = TrackingOptions.Parse(["--kafka-property", "security.protocol=SASL_SSL", "--kafka-property", "sasl.password=a=b"]);
        Assert.Equal("SASL_SSL", o.KafkaProperties["security.protocol"]);
        Assert.Equal("a=b", o.KafkaProperties["sasl.password"]);
        Assert.Throws<ArgumentException>(() => TrackingOptions.Parse(["--kafka-property", "novalue"]));
    }

    [Fact]
    public async Task The_app_runs_against_a_sasl_only_broker()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-sasl-").FullName;
        await using var broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0",
            ["sasl.enabled.mechanisms"] = "PLAIN",
            ["sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required user_tracking=\"tracking-pw\";",
            ["group.initial.rebalance.delay.ms"] = "0",
            ["num.partitions"] = "1",
        });
        await using (var app = await TestApp.StartAsync(broker, dir, "ingest,history", o =>
        {
            o.KafkaProperties["security.protocol"] = "SASL_PLAINTEXT";
            o.KafkaProperties["sasl.mechanism"] = "PLAIN";
            o.KafkaProperties["sasl.username"] = "tracking";
            o.KafkaProperties["sasl.password"] = "tracking-pw";
        }))
        {
            JsonElement health = await app.GetJsonAsync("/health");
            Assert.True(health.GetProperty("roles").GetProperty("ingest").GetBoolean());
            var config = app.App.Kafka.AdminConfig("test");
            Assert.Equal("SASL_PLAINTEXT", config.SecurityProtocol);
            await using var admin = new Rill.Client.AdminClient(config);
            Assert.Contains(TopicNames.RiderUpdates, await admin.ListTopicsAsync());
            Assert.Equal(0, broker.Host.Broker.Security.FailedLogins);
        }
        Directory.Delete(dir, true);
    }
}
