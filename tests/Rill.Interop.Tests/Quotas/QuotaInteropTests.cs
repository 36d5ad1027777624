using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Rill.Interop.Tests.Quotas;

/// <summary>A `rill serve` with 2 quota windows of 1 s, so a producer's first burst is short and its achieved rate shows the quota.</summary>
public sealed class QuotaBrokerFixture : IAsyncLifetime
{
    public RillProcess Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await RillProcess.StartAsync("quota.window.num=2", "quota.window.size.seconds=1");

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}

/// <summary>Client quotas with independent clients: librdkafka producers and the @platformatic/kafka admin client.</summary>
public partial class QuotaInteropTests(QuotaBrokerFixture fixture, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<QuotaBrokerFixture>
{
    /// <summary>The `rill` CLI as a process (as an operator runs it).</summary>
    internal static Task<string> RillCliAsync(params string[] args)
        => ExternalTool.RunOkAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "rill.dll"), .. args], timeout: TimeSpan.FromSeconds(60));

    [GeneratedRegex(@"achieved=(\d+) throttle_max=(\d+) delivered=(\d+)")]
    private static partial Regex ProducerLine();

    [Fact]
    public async Task A_librdkafka_producer_over_its_quota_is_slowed_to_it_and_sees_throttle_while_another_is_not_throttled()
    {
        const int quota = 200_000;
        string b = fixture.Broker.BootstrapServers;
        await RillCliAsync("topics", "--bootstrap-server", b, "--create", "--topic", "quota-rdk", "--partitions", "1");
        await RillCliAsync("configs", "--bootstrap-server", b, "--alter", "--add-config", $"producer_byte_rate={quota}", "--client", "rdk-slow");

        Task<string> slow = ExternalTool.PythonAsync("confluent_quota_producer.py", b, "quota-rdk", "rdk-slow", "6");
        Task<string> fast = ExternalTool.PythonAsync("confluent_quota_producer.py", b, "quota-rdk", "rdk-fast", "6");
        var (slowRate, slowThrottle) = Parse(await slow);
        var (fastRate, fastThrottle) = Parse(await fast);
        log.WriteLine($"quota {quota} B/s: throttled producer {slowRate:F0} B/s ({slowRate / quota:F2}x, librdkafka throttle.max {slowThrottle} ms); other producer {fastRate:F0} B/s, throttle.max {fastThrottle} ms");

        Assert.True(slowThrottle > 0, "librdkafka's statistics show no throttle for the producer over its quota");
        Assert.InRange(slowRate, quota * 0.3, quota * 1.5);
        Assert.Equal(0, fastThrottle);
        Assert.True(fastRate > quota * 1.5, $"the producer without a quota achieved only {fastRate:F0} B/s");
    }

    private static (double Rate, long ThrottleMax) Parse(string output)
    {
        Match m = ProducerLine().Match(output);
        Assert.True(m.Success, output);
        return (double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Platformatic_admin_alters_and_describes_client_quotas()
    {
        string node = Path.Combine(ExternalTool.ScriptsDirectory, "node");
        Assert.True(Directory.Exists(Path.Combine(node, "node_modules", "@platformatic", "kafka")),
            "@platformatic/kafka is not installed: run npm ci in tests/Rill.Interop.Tests/scripts/node (bash .ci/run does).");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(node, "platformatic_client_quotas.js"), fixture.Broker.BootstrapServers, "plat-quota-user"],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: node);
        Assert.Contains("ok quotas", output);
    }
}

/// <summary>A `rill serve` allowing one connection per ip.</summary>
public sealed class OneConnectionPerIpFixture : IAsyncLifetime
{
    public RillProcess Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await RillProcess.StartAsync("max.connections.per.ip=1");

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}

public class MaxConnectionsPerIpInteropTests(OneConnectionPerIpFixture fixture) : IClassFixture<OneConnectionPerIpFixture>
{
    [Fact]
    public async Task Kcat_is_refused_while_another_connection_from_its_ip_is_open_and_served_once_it_closes()
    {
        string b = fixture.Broker.BootstrapServers;
        using (var holder = new TcpClient())
        {
            await holder.ConnectAsync("127.0.0.1", fixture.Broker.Port);
            await Eventually.TrueAsync(async () => (await Metric("rill_connection_active")) >= 1, "the holding connection is admitted");
            var refused = await ExternalTool.RunAsync("kcat", ["-b", b, "-L", "-m", "3"], timeout: TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, refused.ExitCode);
            Assert.True(await Metric("rill_connection_refused_total") >= 1, "rill.connection.refused did not count kcat's connection");
        }
        await Eventually.TrueAsync(async () => (await ExternalTool.RunAsync("kcat", ["-b", b, "-L", "-m", "5"], timeout: TimeSpan.FromSeconds(30))).ExitCode == 0,
            "kcat is served once the other connection closed");
    }

    private async Task<double> Metric(string name)
    {
        using var http = new HttpClient { BaseAddress = fixture.Broker.HttpAddress };
        string text = await http.GetStringAsync("/metrics");
        return text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || l[name.Length] is '{' or ' '))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }
}
