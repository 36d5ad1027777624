using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rill.Interop.Tests.Burrow;

/// <summary>
/// Debian's Burrow 1.2.1 (LinkedIn's lag checker, Sarama inside) against a real rill serve: it lists
/// topics and log end offsets through Metadata and ListOffsets, reads the commits from
/// __consumer_offsets (Kafka's record format), and its HTTP API must report the lag Rill reports on
/// /metrics. Burrow keeps its own state in ZooKeeper (Debian's zookeeper, started here).
/// </summary>
public class BurrowTests
{
    private const string Cluster = "rill";

    [Fact]
    public async Task Burrow_reads_the_consumer_lag_that_rill_reports()
    {
        await using var broker = await RillProcess.StartAsync();
        string topic = "burrow-" + Guid.NewGuid().ToString("N")[..8], group = "burrow-group";
        // 15 records per partition; committed 5 and 12: lag 10 and 3.
        await ExternalTool.PythonAsync("kafka_python_burrow_commit.py", broker.BootstrapServers, topic, group, "create", "15", "5", "12");

        using var zookeeper = await ZooKeeperServer.StartAsync();
        using var config = new TempDirectory();
        int httpPort = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(config.Path, "burrow.toml"), $"""
            [general]
            pidfile="{Path.Combine(config.Path, "burrow.pid")}"
            [logging]
            level="info"
            [zookeeper]
            servers=["127.0.0.1:{zookeeper.Port}"]
            timeout=6
            root-path="/burrow"
            [client-profile.rill]
            client-id="burrow-interop"
            kafka-version="2.0.0"
            [cluster.{Cluster}]
            class-name="kafka"
            servers=["{broker.BootstrapServers}"]
            client-profile="rill"
            topic-refresh=1
            offset-refresh=1
            [consumer.{Cluster}]
            class-name="kafka"
            cluster="{Cluster}"
            servers=["{broker.BootstrapServers}"]
            client-profile="rill"
            start-latest=false
            [httpserver.default]
            address="127.0.0.1:{httpPort}"
            [storage.default]
            class-name="inmemory"
            workers=2
            intervals=10
            expire-group=604800
            min-distance=1
            """);
        using var burrow = new BackgroundTool("Burrow", ["--config-dir", config.Path]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(5) };

        async Task<Dictionary<int, long>> BurrowLagAsync()
        {
            Assert.False(burrow.HasExited, "Burrow exited:\n" + burrow.Tail());
            try
            {
                using HttpResponseMessage response = await http.GetAsync($"v3/kafka/{Cluster}/consumer/{group}/lag");
                if (!response.IsSuccessStatusCode)
                {
                    return [];
                }
                using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return doc.RootElement.GetProperty("status").GetProperty("partitions").EnumerateArray()
                    .Where(p => p.GetProperty("topic").GetString() == topic)
                    .ToDictionary(p => p.GetProperty("partition").GetInt32(), p => p.GetProperty("current_lag").GetInt64());
            }
            catch (HttpRequestException)
            {
                return []; // not listening yet
            }
        }

        Dictionary<int, long> lag = await Eventually.ValueAsync(BurrowLagAsync,
            l => l.GetValueOrDefault(0) == 10 && l.GetValueOrDefault(1) == 3,
            "Burrow reports lag 10 and 3", TimeSpan.FromSeconds(40));
        Dictionary<int, long> rill = await RillLagAsync(broker, group, topic);
        Assert.Equal(rill[0], lag[0]);
        Assert.Equal(rill[1], lag[1]);

        // More records (lag grows by 5 on each partition) and a new commit on partition 0 (caught up):
        // Burrow follows both the log end offsets and the commit log.
        await ExternalTool.PythonAsync("kafka_python_burrow_commit.py", broker.BootstrapServers, topic, group, "nocreate", "5", "20", "12");
        lag = await Eventually.ValueAsync(BurrowLagAsync,
            l => l.GetValueOrDefault(0) == 0 && l.GetValueOrDefault(1) == 8,
            "Burrow reports lag 0 and 8 after the second commit", TimeSpan.FromSeconds(30));
        rill = await RillLagAsync(broker, group, topic);
        Assert.Equal(rill[0], lag[0]);
        Assert.Equal(rill[1], lag[1]);
    }

    /// <summary>rill_consumer_lag_records per partition of <paramref name="topic"/> for <paramref name="group"/>, from /metrics.</summary>
    private static async Task<Dictionary<int, long>> RillLagAsync(RillProcess broker, string group, string topic)
    {
        using var http = new HttpClient();
        string text = await http.GetStringAsync(new Uri(broker.HttpAddress!, "/metrics"));
        var lag = new Dictionary<int, long>();
        foreach (Match m in Regex.Matches(text, @"^rill_consumer_lag_records\{([^}]*)\} (\S+)", RegexOptions.Multiline))
        {
            var labels = Regex.Matches(m.Groups[1].Value, @"(\w+)=""([^""]*)""").ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            if (labels.GetValueOrDefault("group") == group && labels.GetValueOrDefault("topic") == topic)
            {
                lag[int.Parse(labels["partition"], CultureInfo.InvariantCulture)] = (long)double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }
        return lag;
    }
}
