namespace Rill.Server.Tests;

/// <summary>
/// People bring their server.properties: a Kafka 4.0 KRaft combined-mode file starts a Rill broker,
/// the KRaft-only and tuning properties are reported once as not applied, and clients work.
/// </summary>
public class ServerPropertiesTests
{
    // The shape of Kafka's single-node KRaft sample configuration (controller listener, quorum,
    // thread and buffer tuning, internal-topic replication), plus a continued line and escapes.
    private const string KraftCombined = """
        # Server basics
        process.roles=broker,controller
        node.id=1
        controller.quorum.bootstrap.servers=localhost:9093

        # Socket server settings
        listeners=PLAINTEXT://:9092,CONTROLLER://:9093
        inter.broker.listener.name=PLAINTEXT
        advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
        controller.listener.names=CONTROLLER
        listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,\
            SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
        num.network.threads=3
        num.io.threads=8
        socket.send.buffer.bytes=102400
        socket.receive.buffer.bytes=102400
        socket.request.max.bytes=104857600

        ! Log basics
        log.dirs=/tmp/kraft-combined-logs
        num.partitions   3
        num.recovery.threads.per.data.dir=1
        offsets.topic.replication.factor=1
        share.coordinator.state.topic.replication.factor=1
        share.coordinator.state.topic.min.isr=1
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        log.retention.hours=168
        log.segment.bytes:1073741824
        log.retention.check.interval.ms=300000
        """;

    [Fact]
    public async Task Kafka_kraft_server_properties_starts_and_reports_unapplied_properties()
    {
        string file = Path.Combine(Path.GetTempPath(), $"rill-server-{Guid.NewGuid():N}.properties");
        await File.WriteAllTextAsync(file, KraftCombined);
        try
        {
            // The test owns the data directory and the ports: log.dirs and listeners come from --set
            // (later wins); advertised.listeners is cleared so the bound address is advertised.
            await using RillProcess broker = await RillProcess.StartWithConfigAsync(file,
                "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0", "advertised.listeners=");

            foreach (string name in new[] { "process.roles", "controller.quorum.bootstrap.servers", "num.network.threads", "num.io.threads" })
            {
                Assert.Contains(name, broker.Output);
            }

            Assert.DoesNotContain("num.partitions is accepted", broker.Output);

            await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-P", "-t", "from-server-properties", "-p", "2"], stdin: "hello\n");
            string metadata = await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-L", "-t", "from-server-properties"]);
            Assert.Contains("with 3 partitions", metadata); // num.partitions from the file
            string consumed = await ExternalTool.RunOkAsync("kcat",
                ["-b", broker.BootstrapServers, "-C", "-t", "from-server-properties", "-p", "2", "-e", "-f", "%s\\n"]);
            Assert.Equal("hello", consumed.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_typo_in_server_properties_fails_fast_naming_the_closest_property()
    {
        string file = Path.Combine(Path.GetTempPath(), $"rill-server-{Guid.NewGuid():N}.properties");
        await File.WriteAllTextAsync(file, "num.partitions=2\nlog.retention.msec=1000\n");
        try
        {
            var result = await ExternalTool.RunAsync("dotnet",
                [Path.Combine(AppContext.BaseDirectory, "rill.dll"), "serve", "--config", file], timeout: TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Unknown property 'log.retention.msec' (did you mean 'log.retention.ms'?)", result.Stdout + result.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
