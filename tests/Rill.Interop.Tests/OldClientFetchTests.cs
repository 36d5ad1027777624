namespace Rill.Interop.Tests;

/// <summary>
/// Old consumers (Fetch v0-3, magic 0/1 message sets) read what modern producers wrote: kafka-python
/// with old api_version settings and kcat/librdkafka with an old broker.version.fallback.
/// </summary>
public class OldClientFetchTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    [Fact]
    public async Task Kafka_python_reads_every_codec_with_fetch_v0_to_v3_and_in_groups()
    {
        string output = await ExternalTool.PythonAsync("kafka_python_old_fetch.py", Bootstrap, "old-fetch");
        Assert.Contains("ok (0, 8, 2) fetch v0 magic 0 200", output);
        Assert.Contains("ok (0, 9) fetch v1 magic 0 200", output);
        Assert.Contains("ok (0, 10, 0) fetch v2 magic 1 200", output);
        Assert.Contains("ok (0, 10, 1) fetch v3 magic 1 200", output);
        Assert.Contains("ok group (0, 9)", output);
        Assert.Contains("ok group (0, 10, 1)", output);
    }

    [Theory]
    [InlineData("0.8.2", 0)]
    [InlineData("0.9.0", 1)]
    public async Task Kcat_with_an_old_broker_version_reads_compressed_keyed_batches(string fallback, int fetchVersion)
    {
        string topic = $"kcat-old-{fetchVersion}";
        var lines = Enumerable.Range(0, 300).Select(i => $"key{i % 5}:value-{i}").ToList();
        await ExternalTool.RunOkAsync("kcat", ["-b", Bootstrap, "-P", "-t", topic, "-K:", "-p", "0", "-z", "gzip"],
            stdin: string.Join('\n', lines) + "\n");

        ExternalTool.Result result = await ExternalTool.RunAsync("kcat",
            ["-b", Bootstrap, "-C", "-t", topic, "-p", "0", "-o", "120", "-e", "-f", "%k|%s|%o\\n",
             "-X", "api.version.request=false", "-X", $"broker.version.fallback={fallback}", "-d", "protocol"],
            timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"Sent FetchRequest (v{fetchVersion},", result.Stderr);
        Assert.DoesNotContain("Sent FetchRequest (v4", result.Stderr);
        var got = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(180, got.Length);
        for (int i = 0; i < got.Length; i++)
        {
            int n = 120 + i;
            Assert.Equal($"key{n % 5}|value-{n}|{n}", got[i]);
        }
    }

    [Fact]
    public async Task Kcat_consumer_group_with_broker_version_0_9_reads_and_commits()
    {
        const string topic = "kcat-old-group";
        await ExternalTool.RunOkAsync("kcat", ["-b", Bootstrap, "-P", "-t", topic, "-p", "0", "-z", "snappy"],
            stdin: string.Join('\n', Enumerable.Range(0, 100).Select(i => $"g{i}")) + "\n");
        ExternalTool.Result result = await ExternalTool.RunAsync("kcat",
            ["-b", Bootstrap, "-G", "kcat-old-group", topic, "-c", "100", "-f", "%o:%s\\n",
             "-X", "api.version.request=false", "-X", "broker.version.fallback=0.9.0", "-X", "auto.offset.reset=earliest",
             "-d", "protocol"],
            timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Sent FetchRequest (v1,", result.Stderr);
        Assert.Contains("Sent JoinGroupRequest (v0,", result.Stderr);
        Assert.Contains("Sent OffsetCommitRequest (v2,", result.Stderr);
        var got = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{i}:g{i}"), got);
    }
}
