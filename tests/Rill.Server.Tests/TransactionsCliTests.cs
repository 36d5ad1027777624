using Rill.Client;
using Rill.Server.Cli;

namespace Rill.Server.Tests;

/// <summary>`rill transactions` (kafka-transactions.sh) against a transaction left open by Rill.Client.</summary>
public class TransactionsCliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private async Task<(int Code, string[] Lines)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(["transactions", "--bootstrap-server", fixture.Bootstrap, .. args],
            new Console3(new StringReader(""), output, error)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, error.ToString());
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task An_open_transaction_is_listed_described_found_hanging_and_aborted()
    {
        string topic = BrokerFixture.NewTopic("txcli"), id = "txcli-" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = fixture.Admin())
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 1, 1)]);
        }
        await using var producer = new Producer<string, string>(fixture.Producer(c => c.TransactionalId = id));
        await producer.InitTransactionsAsync();
        producer.BeginTransaction();
        await producer.ProduceAsync(topic, "k", "left open");

        var (_, list) = await RunAsync("--list");
        Assert.Contains(list, l => l.StartsWith(id + " ", StringComparison.Ordinal) && l.EndsWith("Ongoing", StringComparison.Ordinal));

        var (_, describe) = await RunAsync("--describe", "--transactional-id", id);
        Assert.Matches($"^\\d+ +{id} +\\d+ +0 +Ongoing +60000 +\\d+ +\\d+ +{topic}-0$", describe[^1]);

        var (_, producers) = await RunAsync("--describe-producers", "--topic", topic, "--partition", "0");
        Assert.Matches("^\\d+ +0 +\\S+ +0 +\\d+ +0$", producers[^1]); // open transaction starting at offset 0

        var (_, known) = await RunAsync("--find-hanging", "--topic", topic);
        Assert.Single(known); // only the header: the coordinator knows this transaction and it is young

        var (_, old) = await RunAsync("--find-hanging", "--topic", topic, "--max-transaction-timeout", "0");
        Assert.Equal(2, old.Length);
        Assert.StartsWith($"{topic} ", old[^1]);

        var (_, abort) = await RunAsync("--abort", "--topic", topic, "--partition", "0", "--start-offset", "0");
        Assert.Contains("Aborted the transaction", abort[^1]);
        await using var consumer = new Consumer<string, string>(fixture.Consumer(configure: c => c.IsolationLevel = IsolationLevel.ReadCommitted));
        Assert.Equal(2, (await consumer.QueryWatermarkOffsetsAsync(new TopicPartition(topic, 0))).High); // the LSO moved past the abort marker
        var (_, after) = await RunAsync("--describe-producers", "--topic", topic, "--partition", "0");
        Assert.EndsWith("None", after[^1]);
    }
}
