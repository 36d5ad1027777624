namespace Rill.Interop.Tests;

/// <summary>Kafka's topic and broker config names and rules, seen through real clients.</summary>
public class TopicConfigTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Fact]
    public async Task CreateTopics_refuses_unknown_or_invalid_configs_with_INVALID_CONFIG_naming_them()
    {
        string output = await ExternalTool.PythonAsync("confluent_topic_configs.py", fixture.Broker.BootstrapServers, "tc");
        Assert.Contains("ok", output);
    }

    [Fact]
    public async Task Broker_message_max_bytes_set_on_the_command_line_is_enforced()
    {
        await using RillProcess broker = await RillProcess.StartAsync("message.max.bytes=200000");
        string output = await ExternalTool.PythonAsync("confluent_max_size.py", broker.BootstrapServers, "small-max", "200000");
        Assert.Contains("ok", output);
    }
}
