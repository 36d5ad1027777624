namespace Rill.Interop.Tests;

/// <summary>retention.ms and retention.bytes enforced by a real rill serve, observed with confluent-kafka.</summary>
public class RetentionTests
{
    [Theory]
    [InlineData("time")]
    [InlineData("bytes")]
    public async Task Old_segments_are_deleted_and_the_earliest_offset_advances(string mode)
    {
        await using var broker = await RillProcess.StartAsync("log.retention.check.interval.ms=500");
        string output = await ExternalTool.PythonAsync("confluent_retention.py", mode, broker.BootstrapServers, "retention-" + mode);
        Assert.Contains("ok " + mode, output);
    }
}
