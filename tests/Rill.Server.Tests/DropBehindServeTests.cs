namespace Rill.Server.Tests;

/// <summary>
/// rill.log.drop.behind.bytes end to end: a rill serve with a 1 MiB budget takes 6 MB from kcat over three
/// partitions, drops what is beyond the budget from the page cache (the metric counts it), and kcat reads every
/// record back, the dropped ones from disk.
/// </summary>
public class DropBehindServeTests
{
    [Fact]
    public async Task Data_produced_beyond_the_budget_is_dropped_from_the_page_cache_and_consumed_back_whole()
    {
        await using var broker = await RillProcess.StartAsync("rill.log.drop.behind.bytes=1048576", "num.partitions=3");
        string topic = "dropped-" + Guid.NewGuid().ToString("N")[..8];
        const int records = 6000;
        string value = new('v', 990);
        string input = string.Join('\n', Enumerable.Range(0, records).Select(i => $"{i:D6}{value}")) + "\n";
        await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-P", "-t", topic, "-X", "linger.ms=20"], stdin: input,
            timeout: TimeSpan.FromMinutes(2));

        List<MetricSample> samples = await MetricSample.ScrapeAsync(broker);
        double dropped = MetricSample.Find(samples, "rill_log_page_cache_dropped_bytes_total") ?? 0;
        Assert.True(dropped >= 2 * 1048576, $"{dropped} bytes dropped of about 6 MB appended with a 1 MiB budget");

        string read = await ExternalTool.RunOkAsync("kcat",
            ["-b", broker.BootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"], timeout: TimeSpan.FromMinutes(2));
        string[] lines = read.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(records, lines.Length);
        Assert.All(lines, l => Assert.Equal(996, l.Length));
        Assert.Equal(Enumerable.Range(0, records), lines.Select(l => int.Parse(l[..6])).Order());
    }
}
