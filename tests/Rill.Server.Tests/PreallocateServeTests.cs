namespace Rill.Server.Tests;

/// <summary>
/// log.preallocate end to end: a rill serve with it on reserves segment.bytes of disk for the segment kcat produces
/// into, gives the unused part back at a clean shutdown, and after a restart kcat reads every record back.
/// </summary>
public class PreallocateServeTests
{
    [Fact]
    public async Task A_topic_under_log_preallocate_reserves_its_segment_and_gives_the_rest_back_at_shutdown()
    {
        const int segmentBytes = 4 << 20;
        await using var broker = await RillProcess.StartAsync("log.preallocate=true", $"log.segment.bytes={segmentBytes}", "num.partitions=1");
        string topic = "prealloc-" + Guid.NewGuid().ToString("N")[..8];
        const int records = 200;
        string input = string.Join('\n', Enumerable.Range(0, records).Select(i => $"{i:D6}{new string('p', 494)}")) + "\n";
        await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-P", "-t", topic], stdin: input, timeout: TimeSpan.FromMinutes(2));

        string segment = Path.Combine(broker.DataDirectory, $"{topic}-0", $"{0:D20}.log");
        long length = new FileInfo(segment).Length;
        Assert.InRange(length, records * 500, segmentBytes / 2);
        Assert.True(DiskUsage.Allocated(segment) >= segmentBytes, $"{DiskUsage.Allocated(segment)} bytes allocated for a {length}-byte segment");

        Assert.Equal(0, await broker.StopAsync());
        Assert.InRange(DiskUsage.Allocated(segment), length, length + 4096);

        await broker.RestartAsync();
        string read = await ExternalTool.RunOkAsync("kcat",
            ["-b", broker.BootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"], timeout: TimeSpan.FromMinutes(2));
        string[] lines = read.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, records), lines.Select(l => int.Parse(l[..6])));
    }
}
