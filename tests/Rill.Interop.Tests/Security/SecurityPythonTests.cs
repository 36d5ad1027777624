namespace Rill.Interop.Tests.Security;

/// <summary>confluent-kafka-python and kafka-python over SASL and TLS listeners.</summary>
public class SecurityPythonTests(SecureBrokerFixture fixture) : IClassFixture<SecureBrokerFixture>
{
    private const string ConfluentRoundTrip = """
import sys, json
from confluent_kafka import Producer, Consumer
conf = json.loads(sys.argv[1]); topic = sys.argv[2]
p = Producer(conf)
for i in range(20):
    p.produce(topic, value=b"v%d" % i)
assert p.flush(30) == 0
c = Consumer(dict(conf, **{"group.id": "g-" + topic, "auto.offset.reset": "earliest"}))
c.subscribe([topic])
got = []
import time
deadline = time.time() + 30
while len(got) < 20 and time.time() < deadline:
    m = c.poll(1.0)
    if m is not None and m.error() is None:
        got.append(m.value().decode())
c.close()
print(",".join(got))
""";

    private const string KafkaPythonRoundTrip = """
import sys, json
from kafka import KafkaProducer, KafkaConsumer
conf = json.loads(sys.argv[1]); topic = sys.argv[2]
# kafka-python probes the broker version in 2 s by default: a TLS + SASL handshake on a loaded machine can take longer.
conf.setdefault("api_version_auto_timeout_ms", 30000)
p = KafkaProducer(**conf)
for i in range(20):
    p.send(topic, b"v%d" % i)
p.flush(30)
c = KafkaConsumer(topic, auto_offset_reset="earliest", consumer_timeout_ms=10000, **conf)
got = []
for m in c:
    got.append(m.value.decode())
    if len(got) == 20:
        break
c.close()
print(",".join(got))
""";

    private static string Expected => string.Join(',', Enumerable.Range(0, 20).Select(i => $"v{i}"));

    private static async Task AssertRoundTripAsync(string script, string config, string topic)
    {
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, ["-c", script, config, topic], timeout: TimeSpan.FromSeconds(90));
        Assert.Equal(Expected, output.Trim());
    }

    [Fact]
    public Task Confluent_python_over_sasl_ssl_with_plain() => AssertRoundTripAsync(ConfluentRoundTrip,
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = fixture.SaslSsl, ["security.protocol"] = "SASL_SSL", ["sasl.mechanisms"] = "PLAIN",
            ["sasl.username"] = SecureBrokerFixture.User, ["sasl.password"] = SecureBrokerFixture.Password,
            ["ssl.ca.location"] = fixture.Certificates.CaPem,
        }), "ck-sasl-ssl");

    [Fact]
    public Task Confluent_python_over_mutual_tls() => AssertRoundTripAsync(ConfluentRoundTrip,
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = fixture.Ssl, ["security.protocol"] = "SSL", ["ssl.ca.location"] = fixture.Certificates.CaPem,
            ["ssl.certificate.location"] = fixture.Certificates.ClientCertPem, ["ssl.key.location"] = fixture.Certificates.ClientKeyPem,
        }), "ck-mtls");

    [Fact]
    public Task Kafka_python_over_sasl_plaintext_with_plain() => AssertRoundTripAsync(KafkaPythonRoundTrip,
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["bootstrap_servers"] = fixture.SaslPlaintext, ["security_protocol"] = "SASL_PLAINTEXT", ["sasl_mechanism"] = "PLAIN",
            ["sasl_plain_username"] = SecureBrokerFixture.User, ["sasl_plain_password"] = SecureBrokerFixture.Password,
        }), "kp-sasl");

    [Fact]
    public Task Kafka_python_over_sasl_ssl_with_plain() => AssertRoundTripAsync(KafkaPythonRoundTrip,
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["bootstrap_servers"] = fixture.SaslSsl, ["security_protocol"] = "SASL_SSL", ["sasl_mechanism"] = "PLAIN",
            ["sasl_plain_username"] = SecureBrokerFixture.User, ["sasl_plain_password"] = SecureBrokerFixture.Password,
            ["ssl_cafile"] = fixture.Certificates.CaPem,
        }), "kp-sasl-ssl");
}
