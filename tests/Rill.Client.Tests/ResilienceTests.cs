using System.Net;
using System.Net.Sockets;
using Rill.Client.Producing;
using Rill.Hosting;
using Rill.Protocol;

namespace Rill.Client.Tests;

/// <summary>Reconnects, retries, timeouts and backpressure, each against its own broker.</summary>
public class ResilienceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Producer_and_consumer_carry_on_across_a_broker_restart_without_duplicates()
    {
        await using var broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string> { ["num.partitions"] = "1" });
        var config = new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 1, RetryBackoffMs = 50, ReconnectBackoffMs = 20, RequestTimeoutMs = 5000 };
        await using var producer = new Producer<string, string>(config);
        for (int i = 0; i < 50; i++)
        {
            await producer.ProduceAsync("restart", new Message<string, string> { Key = "k", Value = $"a{i}" }).WaitAsync(Timeout);
        }
        await broker.RestartAsync();
        var later = Enumerable.Range(0, 50).Select(i => producer.ProduceAsync("restart", new Message<string, string> { Key = "k", Value = $"b{i}" })).ToList();
        var results = await Task.WhenAll(later).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(50, 50).Select(i => (long)i), results.Select(r => r.Offset));

        await using var consumer = new Consumer<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, FetchMaxWaitMs = 100 });
        consumer.Assign([new TopicPartitionOffset("restart", 0, Offsets.Earliest)]);
        var values = new List<string>();
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (var r in consumer.ConsumeAsync(cts.Token))
        {
            values.Add(r.Value);
            if (values.Count == 100)
            {
                break;
            }
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"a{i}").Concat(Enumerable.Range(0, 50).Select(i => $"b{i}")), values);
    }

    [Fact]
    public async Task A_broker_that_never_answers_times_out_with_a_typed_error()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await silent.AcceptSocketAsync());
            }
        });
        await using var admin = new AdminClient(new AdminClientConfig { BootstrapServers = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}", RequestTimeoutMs = 500 });
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<KafkaException>(() => admin.ListTopicsAsync());
        Assert.True(error.ErrorCode is ErrorCode.RequestTimedOut or ErrorCode.NetworkException, error.ToString());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        foreach (var socket in accepted)
        {
            socket.Dispose();
        }
    }

    [Fact]
    public async Task Buffer_memory_blocks_until_released_and_times_out_after_max_block()
    {
        var memory = new BufferMemory(1000);
        memory.Reserve(800, 100);
        var timedOut = Assert.Throws<KafkaException>(() => memory.Reserve(800, 100));
        Assert.Equal(ErrorCode.RequestTimedOut, timedOut.ErrorCode);
        var waiter = Task.Run(() => memory.Reserve(800, 10_000));
        // Blocked inside Reserve: only a release (or max.block.ms) can let it out.
        await Eventually.TrueAsync(() => memory.Waiting == 1, "the reservation blocks while the memory is used up");
        Assert.False(waiter.IsCompleted);
        memory.Release(800);
        await waiter.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(800, memory.Used);
    }

    [Fact]
    public async Task Unreachable_bootstrap_is_a_network_error()
    {
        await using var admin = new AdminClient(new AdminClientConfig { BootstrapServers = "127.0.0.1:1", ConnectTimeoutMs = 1000, ReconnectBackoffMaxMs = 50 });
        var error = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeClusterAsync());
        Assert.Equal(ErrorCode.NetworkException, error.ErrorCode);
    }
}
