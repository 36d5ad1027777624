namespace Rill.Interop.Tests;

/// <summary>kcat (librdkafka 2.0.2, Debian) against a real rill serve process.</summary>
public class KcatTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    private string Bootstrap => fixture.Broker.BootstrapServers;

    [Fact]
    public async Task Metadata_lists_the_broker_and_auto_created_topics()
    {
        await ExternalTool.RunOkAsync("kcat", ["-b", Bootstrap, "-P", "-t", "kcat-meta"], stdin: "x\n");
        string output = await ExternalTool.RunOkAsync("kcat", ["-b", Bootstrap, "-L"]);
        Assert.Contains($"broker 1 at 127.0.0.1:{fixture.Broker.Port}", output);
        Assert.Contains("topic \"kcat-meta\" with 1 partitions", output);
        Assert.Contains("partition 0, leader 1, replicas: 1, isrs: 1", output);
    }

    [Fact]
    public async Task Keyed_messages_produced_with_kcat_come_back_in_order_with_their_keys()
    {
        var lines = Enumerable.Range(0, 200).Select(i => $"key{i % 7}:value-{i}").ToList();
        await ExternalTool.RunOkAsync("kcat", ["-b", Bootstrap, "-P", "-t", "kcat-keys", "-K:", "-p", "0"],
            stdin: string.Join('\n', lines) + "\n");

        string output = await ExternalTool.RunOkAsync("kcat",
            ["-b", Bootstrap, "-C", "-t", "kcat-keys", "-o", "beginning", "-e", "-f", "%k|%s|%p|%o\\n"]);
        var got = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(200, got.Length);
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal($"key{i % 7}|value-{i}|0|{i}", got[i]);
        }
    }

    [Fact]
    public async Task Consuming_from_an_offset_inside_the_log_starts_there()
    {
        await ExternalTool.RunOkAsync("kcat", ["-b", Bootstrap, "-P", "-t", "kcat-offset"],
            stdin: string.Join('\n', Enumerable.Range(0, 50).Select(i => $"m{i}")) + "\n");
        string output = await ExternalTool.RunOkAsync("kcat", ["-b", Bootstrap, "-C", "-t", "kcat-offset", "-o", "30", "-e", "-f", "%o:%s\\n"]);
        var got = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(20, got.Length);
        Assert.Equal("30:m30", got[0]);
        Assert.Equal("49:m49", got[^1]);
    }
}
