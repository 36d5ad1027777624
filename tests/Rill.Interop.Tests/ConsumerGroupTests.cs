namespace Rill.Interop.Tests;

/// <summary>Classic consumer groups with real clients against a real rill serve process.</summary>
public class ConsumerGroupTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Fact]
    public async Task Librdkafka_group_shares_partitions_takes_over_on_leave_and_fans_out()
    {
        string output = await ExternalTool.PythonAsync("confluent_group.py", fixture.Broker.BootstrapServers, "group-four");
        Assert.Contains("ok", output);
    }

    [Fact]
    public async Task Librdkafka_cooperative_sticky_moves_only_the_partitions_that_change_owner()
    {
        string output = await ExternalTool.PythonAsync("confluent_cooperative.py", fixture.Broker.BootstrapServers, "coop-topic");
        Assert.Contains("ok", output);
    }

    [Fact]
    public async Task Kafka_python_group_consumes_and_commits()
    {
        string output = await ExternalTool.PythonAsync("kafka_python_group.py", fixture.Broker.BootstrapServers, "kp-group-topic");
        Assert.Contains("ok 100", output);
    }

    [Fact]
    public async Task Kafkajs_consumer_group_consumes_everything()
    {
        string node = Path.Combine(ExternalTool.ScriptsDirectory, "node");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(node, "kafkajs_group.js"), fixture.Broker.BootstrapServers, "kjs-group-topic"],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: node);
        Assert.Contains("ok 60", output);
    }

    [Fact]
    public async Task Kafka_python_members_share_take_over_on_leave_and_after_a_kill()
    {
        string output = await ExternalTool.PythonAsync("kafka_python_group_pair.py", fixture.Broker.BootstrapServers, "kp-pair");
        Assert.Contains("ok 400", output);
    }

    [Fact]
    public async Task Kafkajs_members_share_and_take_over_on_leave_and_after_a_kill()
    {
        string node = Path.Combine(ExternalTool.ScriptsDirectory, "node");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(node, "kafkajs_group_pair.js"), fixture.Broker.BootstrapServers, "kjs-pair"],
            timeout: TimeSpan.FromSeconds(150), workingDirectory: node);
        Assert.Contains("ok 200", output);
    }
}
