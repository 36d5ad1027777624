namespace Rill.Client.Tests;

/// <summary>Rill.Client against a real `rill serve` process (the built binary), not the in-process broker.</summary>
public class RillServeProcessTests
{
    [Fact]
    public async Task Client_produces_consumes_and_administers_a_real_rill_serve()
    {
        await using RillProcess server = await RillProcess.StartAsync("group.initial.rebalance.delay.ms=0");
        string bootstrap = server.BootstrapServers;

        await using (var admin = new AdminClient(new AdminClientConfig { BootstrapServers = bootstrap }))
        {
            await admin.CreateTopicsAsync([new NewTopic("served", 2, 1)]);
            var cluster = await admin.DescribeClusterAsync();
            Assert.Single(cluster.Brokers);
            Assert.Equal(server.Port, cluster.Brokers[0].Port);
        }
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = bootstrap, CompressionType = Rill.Protocol.Compression.CompressionType.Lz4 }))
        {
            for (int i = 0; i < 100; i++)
            {
                producer.Produce("served", new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
            }
            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        await using var consumer = new Consumer<string, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "served-group", AutoOffsetReset = AutoOffsetReset.Earliest });
        consumer.Subscribe("served");
        var keys = new HashSet<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var r in consumer.ConsumeAsync(cts.Token))
        {
            keys.Add(r.Key);
            if (keys.Count == 100)
            {
                break;
            }
        }
        Assert.Equal(100, keys.Count);
    }
}
