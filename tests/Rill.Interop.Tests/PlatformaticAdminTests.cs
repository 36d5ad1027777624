namespace Rill.Interop.Tests;

/// <summary>
/// IncrementalAlterConfigs (KIP-339) through an independent client that sends it: the admin client of
/// @platformatic/kafka 1.x (none of kafka-python 2.0, librdkafka 2.0 or kafkajs 2.x does).
/// </summary>
public class PlatformaticAdminTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Fact]
    public async Task Incremental_append_and_subtract_change_cleanup_policy_as_a_list_and_a_non_list_is_invalid_config()
    {
        string node = Path.Combine(ExternalTool.ScriptsDirectory, "node");
        Assert.True(Directory.Exists(Path.Combine(node, "node_modules", "@platformatic", "kafka")),
            "@platformatic/kafka is not installed: run npm ci in tests/Rill.Interop.Tests/scripts/node (bash .ci/run does).");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(node, "platformatic_incremental_configs.js"), fixture.Broker.BootstrapServers, "plat-incremental"],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: node);
        Assert.Contains("ok incremental", output);
    }
}
