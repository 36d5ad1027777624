using System.Text;
using Xunit.Abstractions;

namespace Rill.Client.Tests.Transactions;

/// <summary>
/// The torn-transaction check (issue 13's target): randomised runs of one transaction each, spread over
/// three partitions of a real `rill serve` process, that commit, abort, or have the broker killed
/// (SIGKILL) before or in the middle of the commit. A read_committed consumer must then see every
/// committed transaction whole, no aborted or unfinished one, and a transaction cut by a crash during
/// its commit whole or not at all. CI runs a few runs; bench/transactions/torn.sh runs 1,000
/// (RILL_TORN_RUNS).
/// </summary>
public class TornTransactionTests(ITestOutputHelper output)
{
    private enum Ending { Commit, Abort, KillBeforeEnd, KillDuringCommit }

    private sealed record Run(int Id, int Records, Ending Ending)
    {
        public bool CommitReturned { get; set; }
    }

    [Fact]
    public async Task No_read_committed_consumer_sees_part_of_a_transaction()
    {
        int runs = int.TryParse(Environment.GetEnvironmentVariable("RILL_TORN_RUNS"), out int n) ? n : 12;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("RILL_TORN_SEED"), out int s) ? s : Environment.TickCount;
        output.WriteLine($"{runs} runs, seed {seed} (RILL_TORN_SEED to repeat)");
        var random = new Random(seed);
        await using var broker = await RillProcess.StartAsync("transaction.abort.timed.out.transaction.cleanup.interval.ms=300");
        string topic = "torn";
        await using (var admin = new AdminClient(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 3, 1)]);
        }

        var done = new List<Run>();
        int kills = 0;
        for (int i = 0; i < runs; i++)
        {
            var ending = (Ending)random.Next(4);
            var run = new Run(i, 1 + random.Next(30), ending);
            done.Add(run);
            var producer = new Producer<string, string>(new ProducerConfig
            {
                BootstrapServers = broker.BootstrapServers,
                TransactionalId = $"torn-{i % 3}",
                TransactionTimeoutMs = 2000,
                LingerMs = random.Next(3),
                RequestTimeoutMs = 3000,
                DeliveryTimeoutMs = 6000,
            });
            try
            {
                await producer.InitTransactionsAsync().WaitAsync(TimeSpan.FromSeconds(60));
                producer.BeginTransaction();
                for (int r = 0; r < run.Records; r++)
                {
                    producer.Produce(topic, new Message<string, string> { Key = $"{i}-{r}", Value = $"{i}:{run.Records}:{r}", Partition = random.Next(3) });
                }
                switch (ending)
                {
                    case Ending.Commit:
                        await producer.CommitTransactionAsync().WaitAsync(TimeSpan.FromSeconds(60));
                        run.CommitReturned = true;
                        break;
                    case Ending.Abort:
                        await producer.AbortTransactionAsync().WaitAsync(TimeSpan.FromSeconds(60));
                        break;
                    case Ending.KillBeforeEnd:
                        await Task.Delay(random.Next(20));
                        await broker.KillAsync();
                        break;
                    case Ending.KillDuringCommit:
                        Task commit = producer.CommitTransactionAsync();
                        await Task.Delay(random.Next(15));
                        await broker.KillAsync();
                        _ = commit.ContinueWith(t => t.Exception, TaskScheduler.Default);
                        break;
                }
            }
            finally
            {
                if (ending is Ending.KillBeforeEnd or Ending.KillDuringCommit)
                {
                    kills++;
                    await broker.RestartAsync();
                }
                try
                {
                    await producer.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (Exception e) when (e is KafkaException or TimeoutException or OperationCanceledException)
                {
                    // a producer cut off by the kill may fail to flush; what it wrote is checked below
                }
            }
        }

        var seen = await ReadCommittedAsync(broker.BootstrapServers, topic);
        int committed = 0, hidden = 0;
        foreach (var run in done)
        {
            int count = seen.TryGetValue(run.Id, out var records) ? records.Count : 0;
            Assert.True(count == 0 || count == run.Records, $"run {run.Id} ({run.Ending}): {count} of {run.Records} records visible (torn)");
            Assert.True(records is null || records.Distinct().Count() == records.Count, $"run {run.Id}: duplicates");
            switch (run.Ending)
            {
                case Ending.Commit:
                    Assert.True(count == run.Records, $"run {run.Id}: committed but {count} of {run.Records} visible");
                    break;
                case Ending.Abort or Ending.KillBeforeEnd:
                    Assert.True(count == 0, $"run {run.Id} ({run.Ending}): never committed but {count} records visible");
                    break;
            }
            committed += count > 0 ? 1 : 0;
            hidden += count == 0 ? 1 : 0;
        }
        output.WriteLine($"{runs} runs, {kills} broker kills: {committed} transactions visible whole, {hidden} invisible, 0 torn");
    }

    /// <summary>Run id -> the record indexes a read_committed consumer sees, up to an END record on every partition.</summary>
    private static async Task<Dictionary<int, List<int>>> ReadCommittedAsync(string bootstrap, string topic)
    {
        string end = $"END-{Guid.NewGuid():N}";
        await using (var marker = new Producer<string, string>(new ProducerConfig { BootstrapServers = bootstrap }))
        {
            for (int p = 0; p < 3; p++)
            {
                await marker.ProduceAsync(topic, new Message<string, string> { Key = "end", Value = end, Partition = p }).WaitAsync(TimeSpan.FromSeconds(60));
            }
        }
        var seen = new Dictionary<int, List<int>>();
        await using var consumer = new Consumer<string, string>(new ConsumerConfig { BootstrapServers = bootstrap, IsolationLevel = IsolationLevel.ReadCommitted });
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(topic, p, Offsets.Earliest)));
        int ended = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // open transactions must time out (2 s) first
        await foreach (var record in consumer.ConsumeAsync(cts.Token))
        {
            if (record.Value == end)
            {
                if (++ended == 3)
                {
                    break;
                }
                continue;
            }
            if (record.Value.StartsWith("END-", StringComparison.Ordinal))
            {
                continue;
            }
            string[] parts = record.Value.Split(':');
            int run = int.Parse(parts[0]);
            (seen.TryGetValue(run, out var list) ? list : seen[run] = []).Add(int.Parse(parts[2]));
        }
        Assert.Equal(3, ended);
        return seen;
    }
}
