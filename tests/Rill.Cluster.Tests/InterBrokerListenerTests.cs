using System.Text.RegularExpressions;
using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>
/// inter.broker.listener.name: three brokers replicate over an internal SASL_SSL listener (PLAIN, a private CA)
/// while clients use an external PLAINTEXT listener and are only ever told external addresses.
/// </summary>
public sealed partial class InterBrokerListenerTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    [GeneratedRegex(@"Rill listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    // INTERNAL is the first listener, so it is the registration's main address (and RillProcess.Port): a broker that
    // ignored inter.broker.listener.name would hand it to clients and fetch from it in plaintext.
    private static int InternalPort(RillProcess broker) => broker.Port;

    /// <summary>The EXTERNAL listener's port: the second "Rill listening on" line of the latest start.</summary>
    private static int ExternalPort(RillProcess broker) => int.Parse(ListeningLine().Matches(broker.Output)[^1].Groups[1].Value);

    private static async Task<string> CertificatesAsync(string dir)
    {
        async Task Openssl(params string[] args) => await ExternalTool.RunOkAsync("openssl", args, timeout: TimeSpan.FromSeconds(60));
        string P(string name) => Path.Combine(dir, name);
        await Openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", P("ca.key"), "-out", P("ca.pem"), "-days", "2", "-subj", "/CN=rill-test-ca");
        await Openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", P("broker.key"), "-out", P("broker.csr"), "-subj", "/CN=broker");
        await File.WriteAllTextAsync(P("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        await Openssl("x509", "-req", "-in", P("broker.csr"), "-CA", P("ca.pem"), "-CAkey", P("ca.key"), "-CAcreateserial", "-out", P("broker.crt"),
            "-days", "2", "-extfile", P("san.ext"));
        await File.WriteAllTextAsync(P("broker.pem"), await File.ReadAllTextAsync(P("broker.crt")) + await File.ReadAllTextAsync(P("broker.key")));
        return dir;
    }

    [Fact]
    public async Task Followers_replicate_over_the_internal_SASL_SSL_listener_and_clients_only_see_external_addresses()
    {
        using var temp = new TempDirectory();
        string certs = await CertificatesAsync(temp.Path);
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3,
            "listeners=INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0",
            "listener.security.protocol.map=EXTERNAL:PLAINTEXT,INTERNAL:SASL_SSL",
            "inter.broker.listener.name=INTERNAL",
            "sasl.enabled.mechanisms=PLAIN",
            "sasl.mechanism.inter.broker.protocol=PLAIN",
            "listener.name.internal.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"broker\" password=\"broker-secret\" user_broker=\"broker-secret\";",
            "ssl.keystore.type=PEM",
            $"ssl.keystore.location={Path.Combine(certs, "broker.pem")}",
            $"ssl.truststore.location={Path.Combine(certs, "ca.pem")}",
            "broker.session.timeout.ms=3000");
        string external = string.Join(',', cluster.Brokers.Select(b => $"127.0.0.1:{ExternalPort(b)}"));

        // Metadata through the external listener names every broker at its external port only.
        string listing = (await Eventually.ValueAsync(
            async () => (await ExternalTool.RunAsync("kcat", ["-L", "-b", $"127.0.0.1:{ExternalPort(cluster.Broker(1))}", "-m", "5"], timeout: TimeSpan.FromSeconds(15))).Stdout,
            l => Regex.Matches(l, @"^\s+broker \d+ at", RegexOptions.Multiline).Count == 3, "3 brokers in Metadata"))!;
        foreach (RillProcess broker in cluster.Brokers)
        {
            Assert.Contains($"at 127.0.0.1:{ExternalPort(broker)}", listing);
            Assert.DoesNotContain($":{InternalPort(broker)}", listing);
        }

        // min.insync.replicas=3 and acks=all: every record needs both followers, which can only fetch over SASL_SSL.
        Assert.Contains("created", await ExternalTool.PythonAsync("cluster_client.py", "create", external, "positions", "1", "3", "min.insync.replicas=3"));
        string produced = await ExternalTool.PythonAsync("cluster_client.py", "produce", external, "positions", "20", "p");
        Assert.Equal(20, Regex.Matches(produced, "^acked ", RegexOptions.Multiline).Count);
        Assert.DoesNotContain("error", produced);
        await Eventually.ValueAsync(() => ExternalTool.PythonAsync("cluster_client.py", "describe", external, "positions"),
            d => Regex.IsMatch(d, @"^0 \d (\d,\d,\d) (\d,\d,\d)\s*$", RegexOptions.Multiline), "all three replicas in sync");
        string consumed = await ExternalTool.PythonAsync("cluster_client.py", "consume", external, "positions", "20");
        Assert.Equal(20, consumed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.StartsWith("error", StringComparison.Ordinal)));

        // The internal listener really is SASL_SSL: a plaintext client gets nothing from it.
        ExternalTool.Result plain = await ExternalTool.RunAsync("kcat", ["-L", "-b", $"127.0.0.1:{InternalPort(cluster.Broker(2))}", "-m", "3"],
            timeout: TimeSpan.FromSeconds(15));
        Assert.NotEqual(0, plain.ExitCode);
    }
}
