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
    }
}
