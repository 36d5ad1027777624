namespace Rill.Interop.Tests;

/// <summary>confluent-kafka-python (librdkafka) against a real rill serve process.</summary>
public class ConfluentKafkaPythonTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Idempotent_producer_with_each_codec_round_trips(string codec)
    {
        string output = await ExternalTool.PythonAsync("confluent_roundtrip.py", fixture.Broker.BootstrapServers, "ck-" + codec, codec);
        Assert.Contains($"ok {codec} 5000", output);
    }

    [Fact]
    public async Task Message_close_to_message_max_bytes_is_accepted_and_a_larger_one_refused()
    {
        string output = await ExternalTool.PythonAsync("confluent_max_size.py", fixture.Broker.BootstrapServers, "ck-max-size", "1048588");
        Assert.Contains("ok", output);
    }
}
