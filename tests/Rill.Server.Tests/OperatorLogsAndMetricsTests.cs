using System.Text.Json;

namespace Rill.Server.Tests;

/// <summary>
/// Every operator-relevant state change of a real rill serve leaves a log line and moves its metric:
/// topic created, grown, reconfigured and deleted, a group rebalanced (join and leave), fsyncs
/// timed, a cleaner pass counted. And the request log: one debug line per request, none at info.
/// </summary>
public class OperatorLogsAndMetricsTests
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task State_changes_are_logged_and_the_new_metrics_move_with_known_traffic()
    {
        await using var broker = await RillProcess.StartAsync("log.cleaner.backoff.ms=200", "group.initial.rebalance.delay.ms=0");
        string topic = Unique("changes"), compacted = Unique("compacted"), group = Unique("rebalanced");
        await ExternalTool.PythonAsync("operator_changes.py", broker.BootstrapServers, topic, compacted, group);

        await Eventually.TrueAsync(() => broker.Output.Contains($"Cleaned {compacted}-0", StringComparison.Ordinal), "a cleaner pass is logged");
        string output = broker.Output;
        Assert.Contains($"Created topic {topic} with 1 partitions", output);
        Assert.Contains($"Topic {topic} now has 3 partitions (was 1)", output);
        Assert.Contains($"Topic {topic} configs are now", output);
        Assert.Contains("retention.ms=3600000", output);
        Assert.Contains($"Deleted topic {topic}", output);
        // Joined: generation 1, one member; left: generation 2, no member.
        Assert.Matches($@"Group {group} \(classic\) rebalanced to generation 1 with 1 members \(protocol \w+, leader \S+\) in \d+ ms", output);
        Assert.Matches($@"Group {group} \(classic\) rebalanced to generation 2 with 0 members \(protocol none, leader none\) in \d+ ms", output);

        List<MetricSample> samples = await MetricSample.ScrapeAsync(broker);
        Assert.Equal(2, MetricSample.Find(samples, "rill_group_rebalances_total", ("group", group), ("type", "classic")));
        Assert.True(MetricSample.Find(samples, "rill_group_rebalance_time_seconds_count", ("type", "classic")) >= 2);
        // flush.messages=1: each of the 20 single-record produces was fsynced (plus the compacted topic's rolls).
        Assert.True(MetricSample.Find(samples, "rill_log_flush_time_seconds_count") >= 20);
        Assert.True(MetricSample.Find(samples, "rill_log_flush_time_seconds_sum") > 0);
        // Three rounds of 50 keys: at least the first two rounds (100 records) are superseded.
        Assert.True(MetricSample.Find(samples, "rill_cleaner_records_removed_total") >= 100);
        Assert.True(MetricSample.Find(samples, "rill_cleaner_bytes_reclaimed_bytes_total") > 0);
        Assert.True(MetricSample.Find(samples, "rill_cleaner_pass_time_seconds_count") >= 1);
        Assert.True(MetricSample.Find(samples, "rill_cleaner_runs_total") >= 1);
        // librdkafka's first JoinGroup (no member id) is answered MEMBER_ID_REQUIRED (KIP-394).
        Assert.True(MetricSample.Find(samples, "rill_response_errors_total", ("api", "JoinGroup"), ("error", "MemberIdRequired")) >= 1);
        Assert.Null(MetricSample.Find(samples, "rill_response_errors_total", ("error", "None")));
    }

    [Fact]
    public async Task Debug_level_writes_one_request_log_line_per_request_and_info_level_none()
    {
        string topic = Unique("requests");
        await using (var debug = await RillProcess.StartAsync("rill.log.level=debug", "num.partitions=1"))
        {
            await ExternalTool.RunOkAsync("kcat", ["-b", debug.BootstrapServers, "-P", "-t", topic, "-X", "client.id=request-log-client"], stdin: "a\nb\n");
            await Eventually.TrueAsync(() => debug.Output.Contains("Completed Produce v", StringComparison.Ordinal), "the produce request is logged");
            string line = debug.Output.Split('\n').First(l => l.Contains("Completed Produce v", StringComparison.Ordinal));
            Assert.Contains("client request-log-client", line);
            Assert.Contains("principal User:ANONYMOUS", line);
            Assert.Matches(@"correlation \d+ ", line);
            Assert.Matches(@": \d+ response bytes, total [\d.]+ ms \(queue [\d.]+, local [\d.]+, send [\d.]+\)", line);
            Assert.Contains("Rill.Broker.Requests", line);
            Assert.Contains("Completed Metadata v", debug.Output);
        }

        await using var info = await RillProcess.StartAsync("num.partitions=1");
        await ExternalTool.RunOkAsync("kcat", ["-b", info.BootstrapServers, "-P", "-t", topic, "-X", "client.id=request-log-client"], stdin: "a\nb\n");
        await ExternalTool.RunOkAsync("kcat", ["-b", info.BootstrapServers, "-C", "-t", topic, "-o", "beginning", "-c", "2", "-e", "-q"], timeout: TimeSpan.FromSeconds(60));
        Assert.Contains($"Created topic {topic}", info.Output);
        Assert.DoesNotContain("Completed ", info.Output);
    }
}

/// <summary>One sample of /metrics, parsed by prometheus_client (an independent Prometheus text-format parser).</summary>
internal sealed record MetricSample(string Name, Dictionary<string, string> Labels, double Value)
{
    public static async Task<List<MetricSample>> ScrapeAsync(RillProcess broker)
    {
        string output = await ExternalTool.PythonAsync("prom_scrape.py", new Uri(broker.HttpAddress!, "/metrics").ToString());
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement e = doc.RootElement;
            return new MetricSample(e.GetProperty("name").GetString()!,
                e.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                e.GetProperty("value").GetDouble());
        }).ToList();
    }

    /// <summary>The sum over the samples named <paramref name="name"/> with these labels (null when there is none).</summary>
    public static double? Find(List<MetricSample> samples, string name, params (string Key, string Value)[] labels)
    {
        var matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }
}
