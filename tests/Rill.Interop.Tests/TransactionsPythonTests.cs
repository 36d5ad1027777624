namespace Rill.Interop.Tests;

/// <summary>
/// Transactions with confluent-kafka-python (librdkafka 2.0.2) against a real rill serve process:
/// commit and abort (markers at their offsets, skipped by read_uncommitted consumers), a fenced
/// zombie producer, consume-transform-produce with the group's offsets in the transaction.
/// </summary>
public class TransactionsPythonTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    [Fact]
    public async Task Transactional_producer_commits_aborts_fences_and_sends_offsets()
    {
        string output = await ExternalTool.PythonAsync("confluent_transactions.py", fixture.Broker.BootstrapServers, "ck-txn");
        Assert.Contains("ok commit-abort 12", output);
        Assert.Contains("ok fenced", output);
        Assert.Contains("ok consume-transform-produce {0: 5, 1: 5}", output);
    }
}
