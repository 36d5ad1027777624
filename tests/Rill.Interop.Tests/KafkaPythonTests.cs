namespace Rill.Interop.Tests;

/// <summary>kafka-python 2.0 (Debian python3-kafka) against a real rill serve process.</summary>
public class KafkaPythonTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Fact]
    public async Task Keys_headers_timestamps_partitioner_and_offsets_for_times()
    {
        string output = await ExternalTool.PythonAsync("kafka_python_roundtrip.py", fixture.Broker.BootstrapServers, "kp-roundtrip");
        Assert.Contains("ok 200", output);
    }
}
