using System.Net;
using System.Text.Json;

namespace Rill.Server.Tests;

/// <summary>
/// The HTTP listener of a real `rill serve`: /metrics parsed by prometheus_client (an independent
/// Prometheus text-format parser), counters moved by librdkafka and kcat traffic, consumer lag
/// against a committed offset, and the health endpoints.
/// </summary>
public class MetricsEndpointTests
{
    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    private static async Task<List<Sample>> ScrapeAsync(RillProcess broker)
    {
        string output = await ExternalTool.PythonAsync("prom_scrape.py", new Uri(broker.HttpAddress!, "/metrics").ToString());
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement e = doc.RootElement;
            return new Sample(e.GetProperty("name").GetString()!,
                e.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                e.GetProperty("value").GetDouble());
        }).ToList();
    }

    private static double? Value(List<Sample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value))
            .Select(s => (double?)s.Value).FirstOrDefault();

    private static double Sum(List<Sample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Sum(s => s.Value);

    [Fact]
    public async Task Metrics_move_with_known_traffic_and_lag_matches_a_committed_offset()
    {
        await using var broker = await RillProcess.StartAsync("num.partitions=1");
        Assert.NotNull(broker.HttpAddress);
        string topic = "metrics-" + Guid.NewGuid().ToString("N")[..8], group = "lag-" + Guid.NewGuid().ToString("N")[..8];
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Two flushed batches: offsets 0-3 written 300 s ago, offsets 4-9 written 100 s ago.
        await ExternalTool.PythonAsync("produce_and_commit.py", "produce", broker.BootstrapServers, topic, "4", (now - 300_000).ToString());
        await ExternalTool.PythonAsync("produce_and_commit.py", "produce", broker.BootstrapServers, topic, "6", (now - 100_000).ToString());
        await ExternalTool.PythonAsync("produce_and_commit.py", "commit", broker.BootstrapServers, group, topic, "0", "4");
        await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q"], timeout: TimeSpan.FromSeconds(60));

        List<Sample> samples = await ScrapeAsync(broker);
        var byTopic = ("topic", topic);
        Assert.Equal(10, Value(samples, "rill_topic_in_messages_total", byTopic));
        double bytesIn = Value(samples, "rill_topic_in_bytes_total", byTopic) ?? 0;
        Assert.InRange(bytesIn, 10 * 7, 10_000);
        Assert.True(Value(samples, "rill_topic_out_bytes_total", byTopic) >= bytesIn, "kcat read everything, so at least the bytes in went out");
        Assert.Equal(Value(samples, "rill_log_size_bytes", byTopic, ("partition", "0")), bytesIn);
        Assert.Equal(10, Value(samples, "rill_log_end_offset", byTopic, ("partition", "0")));
        Assert.Equal(1, Value(samples, "rill_log_segments", byTopic, ("partition", "0")));
        Assert.True(Sum(samples, "rill_requests_total", ("api", "Produce")) >= 2);
        Assert.True(Sum(samples, "rill_requests_total", ("api", "OffsetCommit")) >= 1);
        Assert.True(Value(samples, "rill_request_total_time_seconds_count", ("api", "Produce")) >= 2);
        Assert.Equal(1, Value(samples, "rill_controller_active"));
        Assert.Equal(0, Value(samples, "rill_partition_under_replicated"));
        Assert.Equal(0, Value(samples, "rill_partition_offline"));

        var lagLabels = new[] { ("group", group), byTopic, ("partition", "0") };
        Assert.Equal(6, Value(samples, "rill_consumer_lag_records", lagLabels));
        // The first uncommitted record (offset 4) was written 100 s ago, not 300 s (offset 0).
        Assert.InRange(Value(samples, "rill_consumer_lag_seconds", lagLabels) ?? -1, 100, 160);

        await ExternalTool.PythonAsync("produce_and_commit.py", "commit", broker.BootstrapServers, group, topic, "0", "10");
        samples = await ScrapeAsync(broker);
        Assert.Equal(0, Value(samples, "rill_consumer_lag_records", lagLabels));
        Assert.Equal(0, Value(samples, "rill_consumer_lag_seconds", lagLabels));
        Assert.Equal(10, Value(samples, "rill_topic_in_messages_total", byTopic));
    }

    [Fact]
    public async Task Health_endpoints_answer_and_the_listener_can_be_turned_off()
    {
        await using (var broker = await RillProcess.StartAsync())
        {
            using var http = new HttpClient { BaseAddress = broker.HttpAddress };
            Assert.Equal("live\n", await http.GetStringAsync("/health/live"));
            await Eventually.TrueAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "ready");
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/nothing-here")).StatusCode);
        }

        await using var off = await RillProcess.StartAsync("rill.http.listener=none");
        Assert.Null(off.HttpAddress);
        Assert.DoesNotContain("Rill HTTP on", off.Output);
    }

    [Fact]
    public async Task Unknown_rill_property_fails_at_start()
    {
        var result = await ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "rill.dll"), "serve", "--set", "rill.htp.listener=x"],
            timeout: TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("rill.htp.listener", result.Stderr);
    }

    [Fact]
    public async Task Operator_state_changes_are_logged_topic_created_config_changed_retention_deleted_segments()
    {
        await using var broker = await RillProcess.StartAsync("log.retention.check.interval.ms=200", "num.partitions=1");
        string topic = "logged-" + Guid.NewGuid().ToString("N")[..8];
        await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-P", "-t", topic], stdin: "a\nb\nc\n");
        await ExternalTool.RunOkAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "rill.dll"), "configs", "--bootstrap-server", broker.BootstrapServers,
            "--entity-type", "brokers", "--entity-default", "--alter", "--add-config", "log.cleaner.backoff.ms=20000"], timeout: TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(() => broker.Output.Contains("Dynamic broker configs are now cluster-wide {log.cleaner.backoff.ms=20000}", StringComparison.Ordinal),
            "the broker config change is logged");
        Assert.Contains($"Created topic {topic} with 1 partitions", broker.Output);

        // Roll the segment (segment.ms) and expire it (retention.ms): retention deletes it and says so.
        await ExternalTool.RunOkAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "rill.dll"), "configs", "--bootstrap-server", broker.BootstrapServers,
            "--entity-type", "topics", "--entity-name", topic, "--alter", "--add-config", "segment.ms=1,retention.ms=1"], timeout: TimeSpan.FromSeconds(60));
        await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-P", "-t", topic], stdin: "d\n");
        await Eventually.TrueAsync(() => broker.Output.Contains($"segments of {topic}-0; log start offset is now", StringComparison.Ordinal),
            "retention deleting segments is logged");
    }

    [Fact]
    public async Task Json_log_format_writes_one_json_object_per_event()
    {
        await using var broker = await RillProcess.StartAsync("rill.log.format=json");
        string line = broker.Output.Split('\n').First(l => l.Contains("Loaded 0 topics", StringComparison.Ordinal));
        using JsonDocument doc = JsonDocument.Parse(line);
        Assert.Equal("Information", doc.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal("Rill.Broker.Topics.TopicManager", doc.RootElement.GetProperty("Category").GetString());
    }
}
