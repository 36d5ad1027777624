namespace Rill.Server.Tests;

/// <summary>`rill top --once` against a real `rill serve`: the tables show the traffic and the lag it caused.</summary>
public class TopCommandTests
{
    [Fact]
    public async Task Top_once_shows_topic_partition_and_lag_of_known_traffic()
    {
        await using var broker = await RillProcess.StartAsync("num.partitions=1");
        string topic = "top-" + Guid.NewGuid().ToString("N")[..8], group = "topgroup-" + Guid.NewGuid().ToString("N")[..8];
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await ExternalTool.PythonAsync("produce_and_commit.py", "produce", broker.BootstrapServers, topic, "7", now.ToString());
        await ExternalTool.PythonAsync("produce_and_commit.py", "commit", broker.BootstrapServers, group, topic, "0", "2");

        string output = await ExternalTool.RunOkAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "rill.dll"), "top",
            "--url", broker.HttpAddress!.ToString(), "--interval-ms", "300", "--once"], timeout: TimeSpan.FromSeconds(60));
        string[] lines = output.Split('\n');
        Assert.True(lines.Any(l => l.Contains(topic, StringComparison.Ordinal) && !l.Contains(group, StringComparison.Ordinal)), output);
        Assert.True(lines.Any(l => l.Contains($"{topic}-0", StringComparison.Ordinal) && l.Contains(" 7 ", StringComparison.Ordinal)), output);
        Assert.True(lines.Any(l => l.Contains(group, StringComparison.Ordinal) && l.Contains($"{topic}-0", StringComparison.Ordinal) && l.Contains(" 5 ", StringComparison.Ordinal)), output);
    }

    [Fact]
    public async Task Top_fails_clearly_when_nothing_listens()
    {
        var result = await ExternalTool.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "rill.dll"), "top", "--url", "http://127.0.0.1:1", "--once"],
            timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot read http://127.0.0.1:1/metrics", result.Stderr);
    }
}
