namespace Rill.Interop.Tests;

/// <summary>
/// Every way independent clients commit offsets, under the classic and the consumer (KIP-848)
/// protocol: subscribe and commit, assign() and commit (a simple commit from outside the
/// membership), commit with metadata, commit of a partition just given up, auto-commit of stored
/// offsets across a rebalance. Each script reads the offsets (and metadata) back through
/// OffsetFetch and checks that a new consumer of the group starts exactly there.
/// </summary>
public class CommitPathTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    private static string Ckjs => Path.Combine(ExternalTool.ScriptsDirectory, "ckjs");

    [Theory]
    [InlineData("classic", "subscribe")]
    [InlineData("classic", "assign")]
    [InlineData("classic", "metadata")]
    [InlineData("classic", "revoked")]
    [InlineData("classic", "stored")]
    [InlineData("consumer", "subscribe")]
    [InlineData("consumer", "assign")]
    [InlineData("consumer", "metadata")]
    [InlineData("consumer", "revoked")]
    [InlineData("consumer", "stored")]
    public async Task Librdkafka_commits_read_back_and_resume_there(string protocol, string mode)
    {
        string topic = $"commit-{protocol}-{mode}";
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(Ckjs, "commit_paths.js"), fixture.Broker.BootstrapServers, topic, protocol, mode],
            timeout: TimeSpan.FromSeconds(150), workingDirectory: Ckjs);
        Assert.Contains($"ok {protocol} {mode}", output);
    }

    [Theory]
    [InlineData("subscribe")]
    [InlineData("assign")]
    [InlineData("revoked")]
    [InlineData("left")]
    public async Task Kafka_python_commits_read_back_and_resume_there(string mode)
    {
        string output = await ExternalTool.PythonAsync("kafka_python_commit_paths.py", fixture.Broker.BootstrapServers, "kp-commit-" + mode, mode);
        Assert.Contains("ok kafka-python " + mode, output);
    }
}
