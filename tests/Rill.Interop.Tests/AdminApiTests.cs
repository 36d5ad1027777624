namespace Rill.Interop.Tests;

/// <summary>
/// Configs and admin APIs through the admin clients of kafka-python and confluent-kafka-python
/// (Confluent.Kafka for .NET is in ConfluentKafkaDotnetTests, kafkajs in KafkajsTests). None of these sends
/// IncrementalAlterConfigs, DescribeLogDirs or DescribeCluster (librdkafka 2.0, kafka-python 2.0); IncrementalAlterConfigs
/// is tested with @platformatic/kafka in PlatformaticAdminTests, the others over the wire in Rill.Broker.Tests.
/// </summary>
public class AdminApiTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Fact]
    public async Task Kafka_python_admin_creates_describes_alters_and_grows_topics_and_producers_feel_it()
    {
        string output = await ExternalTool.PythonAsync("kafka_python_admin.py", fixture.Broker.BootstrapServers, "kpadmin");
        Assert.Contains("ok", output);
    }

    [Fact]
    public async Task Confluent_kafka_admin_configs_and_partitions_change_what_producers_and_consumers_see()
    {
        string output = await ExternalTool.PythonAsync("confluent_admin.py", fixture.Broker.BootstrapServers, "cfadmin");
        Assert.Contains("ok", output);
    }

    [Fact]
    public async Task Dynamic_configs_set_through_admin_clients_survive_a_restart_of_rill_serve()
    {
        await using RillProcess broker = await RillProcess.StartAsync();
        string output = await ExternalTool.PythonAsync("confluent_restart_configs.py", broker.BootstrapServers, "set");
        Assert.Contains("ok", output);
        Assert.Equal(0, await broker.StopAsync());
        await broker.RestartAsync();
        output = await ExternalTool.PythonAsync("confluent_restart_configs.py", broker.BootstrapServers, "check");
        Assert.Contains("ok", output);
    }
}
