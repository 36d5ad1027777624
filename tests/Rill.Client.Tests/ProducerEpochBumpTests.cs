using Rill.Hosting;
using Rill.Protocol;

namespace Rill.Client.Tests;

/// <summary>
/// KIP-360 in the idempotent producer: a sequenced batch that times out fails to the caller, and the
/// producer carries on (bumping its epoch when the broker shows the batch was never written) without
/// duplicates or reordering of the records after it. Faults come from a proxy between client and broker.
/// </summary>
public class ProducerEpochBumpTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<(FaultProxy Proxy, EmbeddedBroker Broker)> StartAsync()
    {
        var proxy = new FaultProxy();
        var broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["num.partitions"] = "1",
            ["advertised.listeners"] = $"PLAINTEXT://127.0.0.1:{proxy.Port}",
        });
        proxy.TargetPort = broker.Port;
        return (proxy, broker);
    }

    private static ProducerConfig Config(FaultProxy proxy) => new()
    {
        BootstrapServers = $"127.0.0.1:{proxy.Port}", LingerMs = 1, RequestTimeoutMs = 500, DeliveryTimeoutMs = 2000,
        RetryBackoffMs = 50, ReconnectBackoffMs = 20, ReconnectBackoffMaxMs = 100, MaxBlockMs = 10_000,
    };

    /// <summary>The partition's records from the start, once the log holds exactly <paramref name="expected"/> (more would be duplicates).</summary>
    private static async Task<List<string>> ReadAllAsync(EmbeddedBroker broker, string topic, int expected, int partition = 0)
    {
        await using var consumer = new Consumer<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, FetchMaxWaitMs = 100 });
        var tp = new TopicPartition(topic, partition);
        Assert.Equal(expected, (await consumer.QueryWatermarkOffsetsAsync(tp)).High);
        consumer.Assign([new TopicPartitionOffset(topic, partition, Offsets.Earliest)]);
        var values = new List<string>();
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (var r in consumer.ConsumeAsync(cts.Token))
        {
            values.Add(r.Value);
            if (values.Count == expected)
            {
                break;
            }
        }
        return values;
    }

    private static async Task<List<DeliveryResult>> ProduceManyAsync(Producer<string, string> producer, string topic, string prefix, int count, int partitions = 1)
    {
        var results = new DeliveryResult[count];
        using var done = new CountdownEvent(count);
        for (int i = 0; i < count; i++)
        {
            int index = i;
            producer.Produce(topic, new Message<string, string> { Key = "k", Value = $"{prefix}{i}", Partition = i % partitions }, r =>
            {
                results[index] = r;
                done.Signal();
            });
        }
        await producer.FlushAsync().WaitAsync(Timeout);
        Assert.True(done.Wait(Timeout));
        return results.ToList();
    }

    [Fact]
    public async Task A_batch_never_written_times_out_and_the_next_records_go_through_under_a_new_epoch()
    {
        var (proxy, broker) = await StartAsync();
        await using var _ = proxy;
        await using var __ = broker;
        string topic = BrokerFixture.NewTopic("bump");
        await using var producer = new Producer<string, string>(Config(proxy));
        await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "first" }).WaitAsync(Timeout);
        Assert.Equal(1, proxy.InitProducerIdRequests);

        proxy.Fault = ProduceFault.DropRequests;
        var lost = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "lost" }).WaitAsync(Timeout));
        Assert.Equal(ErrorCode.RequestTimedOut, lost.ErrorCode);
        proxy.Fault = ProduceFault.None;

        // The broker expects the lost batch's sequence: the next batch is out of order, which shows the gap;
        // the producer bumps its epoch and sends everything from there again at sequence 0.
        var results = await ProduceManyAsync(producer, topic, "after", 50);
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), results.Select(r => r.Offset));
        Assert.Equal(2, proxy.InitProducerIdRequests);
        var requests = proxy.InitProducerIdBumps.ToList();
        Assert.Equal((-1L, (short)-1), requests[0]); // the first asks for a producer id
        Assert.True(requests[1].ProducerId >= 0, "the bump names the current producer id and epoch (KIP-360)");
        Assert.Equal((short)0, requests[1].Epoch);

        var values = await ReadAllAsync(broker, topic, 51);
        Assert.Equal(new[] { "first" }.Concat(Enumerable.Range(0, 50).Select(i => $"after{i}")), values);
    }

    [Fact]
    public async Task A_batch_written_but_never_acknowledged_fails_to_the_caller_and_is_not_duplicated()
    {
        var (proxy, broker) = await StartAsync();
        await using var _ = proxy;
        await using var __ = broker;
        string topic = BrokerFixture.NewTopic("bump");
        await using var producer = new Producer<string, string>(Config(proxy));
        await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "first" }).WaitAsync(Timeout);

        proxy.Fault = ProduceFault.DropResponses;
        var unknown = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "unacknowledged" }).WaitAsync(Timeout));
        Assert.Equal(ErrorCode.RequestTimedOut, unknown.ErrorCode);
        proxy.Fault = ProduceFault.None;

        // Every retry of that batch was a duplicate on the broker; the next sequence follows it, no bump needed.
        var results = await ProduceManyAsync(producer, topic, "after", 50);
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(1, proxy.InitProducerIdRequests);

        var values = await ReadAllAsync(broker, topic, 52);
        Assert.Equal(new[] { "first", "unacknowledged" }.Concat(Enumerable.Range(0, 50).Select(i => $"after{i}")), values);
    }

    [Fact]
    public async Task Gaps_on_two_partitions_are_repaired_and_each_partition_keeps_its_order()
    {
        var (proxy, broker) = await StartAsync();
        await using var _ = proxy;
        await using var __ = broker;
        string topic = BrokerFixture.NewTopic("bump");
        await using (var admin = new AdminClient(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 2, 1)]);
        }
        await using var producer = new Producer<string, string>(Config(proxy));
        Assert.All(await ProduceManyAsync(producer, topic, "first", 2, partitions: 2), r => Assert.Null(r.Error));

        proxy.Fault = ProduceFault.DropRequests;
        var lost = await ProduceManyAsync(producer, topic, "lost", 2, partitions: 2);
        Assert.All(lost, r => Assert.Equal(ErrorCode.RequestTimedOut, r.Error?.ErrorCode));
        proxy.Fault = ProduceFault.None;

        var results = await ProduceManyAsync(producer, topic, "after", 200, partitions: 2);
        Assert.All(results, r => Assert.Null(r.Error));
        for (int p = 0; p < 2; p++)
        {
            int partition = p;
            var expected = new[] { $"first{p}" }.Concat(Enumerable.Range(0, 200).Where(i => i % 2 == partition).Select(i => $"after{i}")).ToList();
            Assert.Equal(expected, await ReadAllAsync(broker, topic, expected.Count, partition));
        }
    }
}
