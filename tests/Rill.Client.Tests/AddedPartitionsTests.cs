using System.Collections.Concurrent;
using Rill.Hosting;

namespace Rill.Client.Tests;

/// <summary>
/// Subscribed consumers pick up partitions added to their topic (CreatePartitions): over the classic
/// protocol the leader notices on its metadata refresh and rebalances the group; over KIP-848 the
/// broker's coordinator sees the topic grow and hands out the new partitions.
/// </summary>
public class AddedPartitionsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("range")]
    [InlineData("cooperative-sticky")]
    [InlineData("kip-848")]
    public async Task Records_in_partitions_added_after_subscribing_are_consumed(string protocol)
    {
        await using var broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["group.initial.rebalance.delay.ms"] = "0",
            ["group.consumer.min.heartbeat.interval.ms"] = "100",
            ["group.consumer.heartbeat.interval.ms"] = "300",
        });
        string topic = BrokerFixture.NewTopic("grow");
        string group = "grow-" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = new AdminClient(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 2, 1)]);
        }
        ConsumerConfig Config() => new()
        {
            BootstrapServers = broker.BootstrapServers, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchMaxWaitMs = 100, HeartbeatIntervalMs = 200, SessionTimeoutMs = 10_000,
            // classic: the leader's refresh is what notices the new partitions; KIP-848: the broker does, and the
            // consumer must cope with an assignment of partitions its cached metadata (default age) does not have
            MetadataMaxAgeMs = protocol == "kip-848" ? 300_000 : 500,
            GroupProtocol = protocol == "kip-848" ? "consumer" : "classic",
            PartitionAssignmentStrategy = protocol == "kip-848" ? "range" : protocol,
        };
        var seen = new ConcurrentDictionary<int, ConcurrentBag<string>>();
        using var cts = new CancellationTokenSource(Timeout);
        async Task RunAsync(Consumer<string, string> consumer)
        {
            consumer.Subscribe(topic);
            try
            {
                await foreach (var r in consumer.ConsumeAsync(cts.Token))
                {
                    seen.GetOrAdd(r.Partition, _ => new()).Add(r.Value);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        await using var a = new Consumer<string, string>(Config());
        await using var b = new Consumer<string, string>(Config());
        var runs = new[] { RunAsync(a), RunAsync(b) };
        await WaitUntilAsync(() => a.Assignment.Count + b.Assignment.Count == 2 && a.Assignment.Count > 0 && b.Assignment.Count > 0, cts.Token);

        await using (var admin = new AdminClient(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }))
        {
            await admin.CreatePartitionsAsync(topic, 4);
        }
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 1 }))
        {
            for (int p = 0; p < 4; p++)
            {
                await producer.ProduceAsync(topic, new Message<string, string> { Value = $"p{p}", Partition = p }).WaitAsync(Timeout);
            }
        }

        await WaitUntilAsync(() => Enumerable.Range(0, 4).All(p => seen.ContainsKey(p)), cts.Token);
        await WaitUntilAsync(() => a.Assignment.Count + b.Assignment.Count == 4, cts.Token);
        Assert.Empty(a.Assignment.Intersect(b.Assignment));
        for (int p = 0; p < 4; p++)
        {
            Assert.Equal([$"p{p}"], seen[p].Distinct());
        }
        cts.Cancel();
        await Task.WhenAll(runs);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            Assert.False(cancellationToken.IsCancellationRequested, "timed out waiting for the condition");
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
