namespace Rill.Interop.Tests;

/// <summary>kafkajs 2.x (npm, pure JavaScript) against a real rill serve process.</summary>
public class KafkajsTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Fact]
    public async Task Produce_idempotently_then_fetch_by_assignment()
    {
        string node = Path.Combine(ExternalTool.ScriptsDirectory, "node");
        Assert.True(Directory.Exists(Path.Combine(node, "node_modules", "kafkajs")),
            "kafkajs is not installed: run npm ci in tests/Rill.Interop.Tests/scripts/node (bash .ci/run does).");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(node, "kafkajs_roundtrip.js"), fixture.Broker.BootstrapServers, "kjs-roundtrip"],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: node);
        Assert.Contains("ok 300", output);
    }

    [Fact]
    public async Task Admin_describes_and_alters_configs_deletes_records_and_adds_partitions()
    {
        string node = Path.Combine(ExternalTool.ScriptsDirectory, "node");
        Assert.True(Directory.Exists(Path.Combine(node, "node_modules", "kafkajs")),
            "kafkajs is not installed: run npm ci in tests/Rill.Interop.Tests/scripts/node (bash .ci/run does).");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(node, "kafkajs_admin.js"), fixture.Broker.BootstrapServers, "kjs-admin"],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: node);
        Assert.Contains("ok admin", output);
    }
}
