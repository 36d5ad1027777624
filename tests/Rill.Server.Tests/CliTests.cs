using System.Diagnostics;
using Rill.Server;
using Rill.Server.Cli;

namespace Rill.Server.Tests;

/// <summary>The `rill` operator commands, in-process against an embedded broker, and once as the real process.</summary>
public class CliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static async Task<(int Code, string Out, string Err)> RillWithInputAsync(string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(args, new Console3(new StringReader(stdin), output, error)).WaitAsync(TimeSpan.FromSeconds(60));
        return (code, output.ToString(), error.ToString());
    }

    private static Task<(int Code, string Out, string Err)> RillAsync(params string[] args) => RillWithInputAsync("", args);

    [Fact]
    public async Task Topics_create_list_describe_alter_delete()
    {
        string b = fixture.Bootstrap, topic = BrokerFixture.NewTopic("cli");
        var created = await RillAsync("topics", "--bootstrap-server", b, "--create", "--topic", topic, "--partitions", "2", "--replication-factor", "1", "--config", "retention.ms=123456");
        Assert.Equal((0, $"Created topic {topic}.\n"), (created.Code, created.Out));
        Assert.Contains(topic, (await RillAsync("topics", "--bootstrap-server", b, "--list")).Out.Split('\n'));
        var described = await RillAsync("topics", "--bootstrap-server", b, "--describe", "--topic", topic);
        Assert.Contains($"Topic: {topic}\tTopicId: ", described.Out);
        Assert.Contains("PartitionCount: 2\tReplicationFactor: 1\tConfigs: retention.ms=123456", described.Out);
        Assert.Contains($"\tTopic: {topic}\tPartition: 1\tLeader: ", described.Out);
        Assert.Equal(0, (await RillAsync("topics", "--bootstrap-server", b, "--alter", "--topic", topic, "--partitions", "5")).Code);
        Assert.Contains("PartitionCount: 5", (await RillAsync("topics", "--bootstrap-server", b, "--describe", "--topic", topic)).Out);
        var again = await RillAsync("topics", "--bootstrap-server", b, "--create", "--topic", topic, "--partitions", "1");
        Assert.Equal(1, again.Code);
        Assert.Contains("TopicAlreadyExists", again.Err);
        Assert.Equal(0, (await RillAsync("topics", "--bootstrap-server", b, "--delete", "--topic", topic)).Code);
        Assert.DoesNotContain(topic, (await RillAsync("topics", "--bootstrap-server", b, "--list")).Out.Split('\n'));
    }

    [Fact]
    public async Task Produce_then_consume_with_keys_headers_and_print_properties()
    {
        string b = fixture.Bootstrap, topic = BrokerFixture.NewTopic("cli");
        await RillAsync("topics", "--bootstrap-server", b, "--create", "--topic", topic, "--partitions", "1");
        var produced = await RillWithInputAsync("h1:x,h2:y\tk1:one\nh1:z\tk2:two\n", "produce", "--bootstrap-server", b, "--topic", topic,
            "--property", "parse.key=true", "--property", "key.separator=:", "--property", "parse.headers=true", "--compression-codec", "zstd");
        Assert.True(produced.Code == 0, produced.Err);
        var consumed = await RillAsync("consume", "--bootstrap-server", b, "--topic", topic, "--from-beginning", "--max-messages", "2", "--timeout-ms", "20000",
            "--property", "print.key=true", "--property", "print.partition=true", "--property", "print.offset=true", "--property", "print.headers=true");
        Assert.Equal(0, consumed.Code);
        Assert.Equal("Partition:0\tOffset:0\th1:x,h2:y\tk1\tone\nPartition:0\tOffset:1\th1:z\tk2\ttwo\n", consumed.Out);
        Assert.Contains("Processed a total of 2 messages", consumed.Err);

        var fromOffset = await RillAsync("consume", "--bootstrap-server", b, "--topic", topic, "--partition", "0", "--offset", "1", "--max-messages", "1", "--property", "print.timestamp=true");
        Assert.Matches("^CreateTime:\\d+\ttwo\n$", fromOffset.Out);
    }

    [Fact]
    public async Task Groups_describe_shows_lag_and_reset_offsets_moves_them()
    {
        string b = fixture.Bootstrap, topic = BrokerFixture.NewTopic("cli"), group = "cli-" + Guid.NewGuid().ToString("N")[..8];
        await RillAsync("topics", "--bootstrap-server", b, "--create", "--topic", topic, "--partitions", "1");
        await RillWithInputAsync("a\nb\nc\nd\ne\n", "produce", "--bootstrap-server", b, "--topic", topic);
        var read = await RillAsync("consume", "--bootstrap-server", b, "--topic", topic, "--group", group, "--from-beginning", "--max-messages", "2", "--timeout-ms", "20000");
        Assert.Equal("a\nb\n", read.Out);

        Assert.Contains(group, (await RillAsync("groups", "--bootstrap-server", b, "--list")).Out.Split('\n'));
        var described = await RillAsync("groups", "--bootstrap-server", b, "--describe", "--group", group);
        var lines = described.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$", lines[^2]);
        Assert.Matches($"^{group} +{topic} +0 +2 +5 +3 +- +- +-$", lines[^1]);

        var dry = await RillAsync("groups", "--bootstrap-server", b, "--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--dry-run");
        Assert.Matches($"{group} +{topic} +0 +0", dry.Out);
        Assert.Matches($"{topic} +0 +2 +5 +3", (await RillAsync("groups", "--bootstrap-server", b, "--describe", "--group", group)).Out);
        Assert.Equal(0, (await RillAsync("groups", "--bootstrap-server", b, "--reset-offsets", "--group", group, "--topic", topic, "--to-offset", "4", "--execute")).Code);
        Assert.Matches($"{topic} +0 +4 +5 +1", (await RillAsync("groups", "--bootstrap-server", b, "--describe", "--group", group)).Out);
        Assert.Equal(0, (await RillAsync("groups", "--bootstrap-server", b, "--delete", "--group", group)).Code);
    }

    [Fact]
    public async Task Configs_describe_alter_and_delete()
    {
        string b = fixture.Bootstrap, topic = BrokerFixture.NewTopic("cli");
        await RillAsync("topics", "--bootstrap-server", b, "--create", "--topic", topic, "--partitions", "1");
        var altered = await RillAsync("configs", "--bootstrap-server", b, "--entity-type", "topics", "--entity-name", topic, "--alter", "--add-config", "retention.ms=1000,cleanup.policy=compact");
        Assert.True(altered.Code == 0, altered.Err);
        var described = await RillAsync("configs", "--bootstrap-server", b, "--entity-type", "topics", "--entity-name", topic, "--describe");
        Assert.Contains($"Dynamic configs for topic {topic} are:", described.Out);
        Assert.Contains("  retention.ms=1000 sensitive=false", described.Out);
        Assert.Contains("  cleanup.policy=compact", described.Out);
        Assert.Equal(0, (await RillAsync("configs", "--bootstrap-server", b, "--entity-type", "topics", "--entity-name", topic, "--alter", "--delete-config", "retention.ms")).Code);
        Assert.DoesNotContain("retention.ms=1000", (await RillAsync("configs", "--bootstrap-server", b, "--entity-type", "topics", "--entity-name", topic, "--describe")).Out);
        Assert.Contains("log.retention.hours", (await RillAsync("configs", "--bootstrap-server", b, "--entity-type", "brokers", "--entity-name", "1", "--describe", "--all")).Out);
    }

    [Theory]
    [InlineData("topics")]
    [InlineData("groups")]
    [InlineData("produce")]
    [InlineData("consume")]
    [InlineData("configs")]
    [InlineData("bench")]
    public async Task Every_command_has_help_and_usage_errors_exit_2(string command)
    {
        var help = await RillAsync(command, "--help");
        Assert.Equal(0, help.Code);
        Assert.StartsWith("Usage: rill " + command, help.Out);
        var bad = await RillAsync(command, "--no-such-flag");
        Assert.Equal(2, bad.Code);
        Assert.Single(bad.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Unreachable_broker_is_a_one_line_error_with_exit_1()
    {
        var result = await RillAsync("topics", "--bootstrap-server", "127.0.0.1:1", "--list");
        Assert.Equal(1, result.Code);
        Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Bench_producer_and_consumer_print_summaries()
    {
        string b = fixture.Bootstrap, topic = BrokerFixture.NewTopic("bench");
        var produced = await RillAsync("bench", "producer", "--bootstrap-server", b, "--topic", topic, "--records", "20000", "--record-size", "100", "--acks", "all", "--quiet");
        Assert.True(produced.Code == 0, produced.Err);
        Assert.Matches("^20000 records sent, [0-9.]+ records/sec \\([0-9.]+ MB/sec\\), [0-9.]+ ms avg latency, [0-9.]+ ms max latency, \\d+ ms 50th, \\d+ ms 99th, \\d+ ms 99.9th.\n$", produced.Out);
        var consumed = await RillAsync("bench", "consumer", "--bootstrap-server", b, "--topic", topic, "--records", "20000", "--quiet");
        Assert.True(consumed.Code == 0, consumed.Err);
        Assert.Matches("^20000 records consumed in", consumed.Out);
    }

    [Fact]
    public async Task The_real_rill_process_produces_and_consumes()
    {
        string rill = Path.Combine(AppContext.BaseDirectory, "rill.dll");
        string topic = BrokerFixture.NewTopic("proc");
        await ExternalTool.RunOkAsync("dotnet", [rill, "produce", "--bootstrap-server", fixture.Bootstrap, "--topic", topic, "--property", "parse.key=true", "--property", "key.separator=:"], "k:hello\n");
        string output = await ExternalTool.RunOkAsync("dotnet", [rill, "consume", "--bootstrap-server", fixture.Bootstrap, "--topic", topic, "--from-beginning",
            "--max-messages", "1", "--timeout-ms", "20000", "--property", "print.key=true"]);
        Assert.Equal("k\thello\n", output);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(rill);
        info.ArgumentList.Add("topics");
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(2, process.ExitCode);
    }
}
