using System.Text.Json;

namespace Rill.Interop.Tests.Security;

/// <summary>
/// SCRAM-SHA-256 and SCRAM-SHA-512 with independent clients (kcat, confluent-kafka-python,
/// kafka-python, kafkajs, @confluentinc/kafka-javascript) over SASL_PLAINTEXT and SASL_SSL; the user
/// was created through AlterUserScramCredentials (<see cref="SecureBrokerFixture"/>).
/// </summary>
public class SecurityScramTests(SecureBrokerFixture fixture) : IClassFixture<SecureBrokerFixture>
{
    private static string Node => Path.Combine(ExternalTool.ScriptsDirectory, "node");
    private static string Ckjs => Path.Combine(ExternalTool.ScriptsDirectory, "ckjs");

    private string[] Scram(string protocol, string mechanism, string password = SecureBrokerFixture.ScramPassword) =>
        ["-X", $"security.protocol={protocol}", "-X", $"sasl.mechanisms={mechanism}",
         "-X", $"sasl.username={SecureBrokerFixture.ScramUser}", "-X", $"sasl.password={password}",
         .. protocol == "sasl_ssl" ? (string[])["-X", $"ssl.ca.location={fixture.Certificates.CaPem}"] : []];

    private static async Task KcatRoundTripAsync(string bootstrap, string[] security, string topic)
    {
        await ExternalTool.RunOkAsync("kcat", ["-b", bootstrap, .. security, "-P", "-t", topic], stdin: "one\ntwo\nthree\n");
        string output = await ExternalTool.RunOkAsync("kcat", ["-b", bootstrap, .. security, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%s\\n"]);
        Assert.Equal(["one", "two", "three"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public Task Kcat_scram_sha_256_over_sasl_plaintext() =>
        KcatRoundTripAsync(fixture.SaslPlaintext, Scram("sasl_plaintext", "SCRAM-SHA-256"), "kcat-scram256");

    [Fact]
    public Task Kcat_scram_sha_512_over_sasl_ssl() =>
        KcatRoundTripAsync(fixture.SaslSsl, Scram("sasl_ssl", "SCRAM-SHA-512"), "kcat-scram512-ssl");

    [Fact]
    public async Task Kcat_with_a_wrong_scram_password_is_refused_counted_and_others_keep_working()
    {
        long failedBefore = fixture.Broker.Host.Broker.Security.FailedLogins;
        ExternalTool.Result result = await ExternalTool.RunAsync("kcat",
            ["-b", fixture.SaslPlaintext, .. Scram("sasl_plaintext", "SCRAM-SHA-256", "wrong"), "-L", "-m", "3"], timeout: TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Authentication failed", result.Stdout + result.Stderr);
        Assert.True(fixture.Broker.Host.Broker.Security.FailedLogins > failedBefore);
        await KcatRoundTripAsync(fixture.SaslPlaintext, Scram("sasl_plaintext", "SCRAM-SHA-256"), "kcat-scram-after-failure");
    }

    [Fact]
    public async Task Confluent_python_scram_sha_512_over_sasl_ssl()
    {
        string config = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = fixture.SaslSsl, ["security.protocol"] = "SASL_SSL", ["sasl.mechanisms"] = "SCRAM-SHA-512",
            ["sasl.username"] = SecureBrokerFixture.ScramUser, ["sasl.password"] = SecureBrokerFixture.ScramPassword,
            ["ssl.ca.location"] = fixture.Certificates.CaPem,
        });
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [Path.Combine(ExternalTool.ScriptsDirectory, "confluent_secure_roundtrip.py"), config, "ck-scram512"],
            timeout: TimeSpan.FromSeconds(90));
        Assert.Equal(string.Join(',', Enumerable.Range(0, 20).Select(i => $"v{i}")), output.Trim());
    }

    [Fact]
    public async Task Kafka_python_scram_sha_256_over_sasl_plaintext()
    {
        string config = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["bootstrap_servers"] = fixture.SaslPlaintext, ["security_protocol"] = "SASL_PLAINTEXT", ["sasl_mechanism"] = "SCRAM-SHA-256",
            ["sasl_plain_username"] = SecureBrokerFixture.ScramUser, ["sasl_plain_password"] = SecureBrokerFixture.ScramPassword,
        });
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [Path.Combine(ExternalTool.ScriptsDirectory, "kafka_python_secure_roundtrip.py"), config, "kp-scram256"],
            timeout: TimeSpan.FromSeconds(90));
        Assert.Equal(string.Join(',', Enumerable.Range(0, 20).Select(i => $"v{i}")), output.Trim());
    }

    [Theory]
    [InlineData("SCRAM-SHA-256", false)]
    [InlineData("SCRAM-SHA-512", true)]
    [InlineData("PLAIN", false)]
    [InlineData("PLAIN", true)]
    public async Task Kafkajs_round_trips(string mechanism, bool tls)
    {
        Assert.True(Directory.Exists(Path.Combine(Node, "node_modules", "kafkajs")), "kafkajs is not installed: run npm ci in tests/Rill.Interop.Tests/scripts/node.");
        (string user, string password) = mechanism == "PLAIN"
            ? (SecureBrokerFixture.User, SecureBrokerFixture.Password) : (SecureBrokerFixture.ScramUser, SecureBrokerFixture.ScramPassword);
        string topic = $"kjs-{mechanism.ToLowerInvariant()}-{(tls ? "ssl" : "plain")}";
        string output = await ExternalTool.RunOkAsync("node",
            [Path.Combine(Node, "kafkajs_sasl.js"), tls ? fixture.SaslSsl : fixture.SaslPlaintext, topic, mechanism, user, password, .. tls ? (string[])[fixture.Certificates.CaPem] : []],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: Node);
        Assert.Contains("ok 10", output);
    }

    [Theory]
    [InlineData("SASL_PLAINTEXT", "SCRAM-SHA-256")]
    [InlineData("SASL_SSL", "SCRAM-SHA-512")]
    public async Task Ckjs_round_trips_with_scram(string protocol, string mechanism)
    {
        Assert.True(Directory.Exists(Path.Combine(Ckjs, "node_modules", "@confluentinc")), "ckjs is not installed: run npm ci in tests/Rill.Interop.Tests/scripts/ckjs.");
        var config = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = protocol == "SASL_SSL" ? fixture.SaslSsl : fixture.SaslPlaintext, ["security.protocol"] = protocol,
            ["sasl.mechanisms"] = mechanism, ["sasl.username"] = SecureBrokerFixture.ScramUser, ["sasl.password"] = SecureBrokerFixture.ScramPassword,
        };
        if (protocol == "SASL_SSL")
        {
            config["ssl.ca.location"] = fixture.Certificates.CaPem;
        }
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(Ckjs, "sasl_roundtrip.js"), JsonSerializer.Serialize(config), $"ckjs-{mechanism.ToLowerInvariant()}"],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: Ckjs);
        Assert.Contains("ok 10", output);
    }
}
