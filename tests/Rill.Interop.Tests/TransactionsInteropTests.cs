namespace Rill.Interop.Tests;

/// <summary>
/// Transactional clients against a real rill serve process: confluent-kafka-python (librdkafka
/// 2.0.2), @confluentinc/kafka-javascript (librdkafka 2.15) and kafkajs. Commit and abort (markers
/// at their offsets, skipped by read_uncommitted consumers), a fenced zombie producer,
/// consume-transform-produce with the group's offsets in the transaction.
/// </summary>
public class TransactionsInteropTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    private static string Ckjs => Path.Combine(ExternalTool.ScriptsDirectory, "ckjs");
    private static string Node => Path.Combine(ExternalTool.ScriptsDirectory, "node");

    [Fact]
    public async Task Confluent_kafka_python_commits_aborts_fences_and_sends_offsets()
    {
        string output = await ExternalTool.PythonAsync("confluent_transactions.py", fixture.Broker.BootstrapServers, "ck-txn", "read_committed");
        Assert.Contains("ok commit-abort 12", output);
        Assert.Contains("ok fenced", output);
        Assert.Contains("ok consume-transform-produce {0: 5, 1: 5}", output);
    }

    [Fact]
    public async Task Librdkafka_2_15_commits_aborts_and_fences()
    {
        Assert.True(Directory.Exists(Path.Combine(Ckjs, "node_modules", "@confluentinc")),
            "@confluentinc/kafka-javascript is not installed: run npm ci in tests/Rill.Interop.Tests/scripts/ckjs (bash .ci/run does).");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(Ckjs, "transactions.js"), fixture.Broker.BootstrapServers, "ckjs-txn", "read_committed"],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: Ckjs);
        Assert.Contains("ok uncommitted 12", output);
        Assert.Contains("ok committed 8", output);
        Assert.Contains("ok fenced", output);
    }

    [Fact]
    public async Task Kafkajs_commits_aborts_and_sends_offsets()
    {
        Assert.True(Directory.Exists(Path.Combine(Node, "node_modules", "kafkajs")),
            "kafkajs is not installed: run npm ci in tests/Rill.Interop.Tests/scripts/node (bash .ci/run does).");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(Node, "kafkajs_transactions.js"), fixture.Broker.BootstrapServers, "kjs-txn", "read_committed"],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: Node);
        Assert.Contains("ok uncommitted 12", output);
        Assert.Contains("ok committed 8", output);
        Assert.Contains("ok consume-transform-produce 5,6", output);
    }
}

/// <summary>kill -9 of the broker with a transaction open: after the restart it is aborted at its timeout, never visible to read_committed.</summary>
public class TransactionCrashTests
{
    [Fact]
    public async Task A_transaction_open_at_a_SIGKILL_is_aborted_after_the_restart()
    {
        await using RillProcess broker = await RillProcess.StartAsync("transaction.abort.timed.out.transaction.cleanup.interval.ms=200");
        string opened = await ExternalTool.PythonAsync("confluent_txn_crash.py", "open", broker.BootstrapServers, "txn-crash");
        Assert.Contains("open", opened);
        await broker.KillAsync();
        await broker.RestartAsync();
        string output = await ExternalTool.PythonAsync("confluent_txn_crash.py", "check", broker.BootstrapServers, "txn-crash", "read_committed");
        Assert.Contains("ok crash 8", output);
    }
}
