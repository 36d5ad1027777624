namespace Rill.Interop.Tests;

/// <summary>cleanup.policy=compact enforced by a real rill serve, observed with confluent-kafka.</summary>
public class CompactionTests
{
    [Fact]
    public async Task A_reader_from_the_start_sees_the_latest_value_of_each_live_key_at_its_offset_and_no_tombstone_after_delete_retention()
    {
        await using var broker = await RillProcess.StartAsync("log.cleaner.backoff.ms=200");
        string output = await ExternalTool.PythonAsync("confluent_compaction.py", broker.BootstrapServers, "rider-positions");
        Assert.Contains("ok compaction", output);
        Assert.Contains("Cleaned rider-positions-0", broker.Output);

        // kafka-python (an older client) reads across the offset gaps and sees the same records.
        string[] confluentLines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string survivors = confluentLines.Single(l => l.StartsWith("ok compaction", StringComparison.Ordinal)).Split(' ')[2];
        string read = await ExternalTool.PythonAsync("kafka_python_read_compacted.py", broker.BootstrapServers, "rider-positions");
        Assert.Contains("read " + survivors, read);
        var keys = read.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("read", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }
}
