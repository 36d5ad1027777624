using Rill.Client.Producing;
using Rill.Hosting;
using Rill.Protocol;

namespace Rill.Client.Tests;

/// <summary>max.request.size: a record that cannot fit fails before it is sent; requests are split to stay under it.</summary>
public class MaxRequestSizeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_record_larger_than_max_request_size_or_buffer_memory_fails_with_message_too_large_before_sending()
    {
        await using var proxy = new FaultProxy();
        await using var broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["num.partitions"] = "1",
            ["advertised.listeners"] = $"PLAINTEXT://127.0.0.1:{proxy.Port}",
        });
        proxy.TargetPort = broker.Port;
        string topic = BrokerFixture.NewTopic("big");
        await using var producer = new Producer<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{proxy.Port}", LingerMs = 1, MaxRequestSize = 2000, BufferMemory = 1_000_000,
        });
        var tooLarge = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync(topic, new Message<string, byte[]> { Value = new byte[2000] }));
        Assert.Equal(ErrorCode.MessageTooLarge, tooLarge.ErrorCode);
        Assert.Throws<KafkaException>(() => producer.Produce(topic, new Message<string, byte[]> { Value = new byte[1990] }));
        Assert.Empty(proxy.ProduceRequestSizes);

        var fits = await producer.ProduceAsync(topic, new Message<string, byte[]> { Value = new byte[1500] }).WaitAsync(Timeout);
        Assert.Equal(0, fits.Offset);
        Assert.True(proxy.ProduceRequestSizes.Single() <= 2000);

        await using var small = new Producer<string, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, BufferMemory = 1000 });
        var overMemory = await Assert.ThrowsAsync<KafkaException>(() => small.ProduceAsync(topic, new Message<string, byte[]> { Value = new byte[1500] }));
        Assert.Equal(ErrorCode.MessageTooLarge, overMemory.ErrorCode);
    }

    [Fact]
    public async Task Batches_for_one_broker_are_split_across_requests_that_stay_under_max_request_size()
    {
        await using var proxy = new FaultProxy();
        await using var broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["advertised.listeners"] = $"PLAINTEXT://127.0.0.1:{proxy.Port}",
        });
        proxy.TargetPort = broker.Port;
        string topic = BrokerFixture.NewTopic("split");
        await using (var admin = new AdminClient(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 4, 1)]);
        }
        const int maxRequestSize = 10_000;
        await using var producer = new Producer<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{proxy.Port}", LingerMs = 200, BatchSize = 16_384, MaxRequestSize = maxRequestSize,
        });
        var value = new byte[100];
        int delivered = 0;
        for (int i = 0; i < 800; i++)
        {
            producer.Produce(topic, new Message<string, byte[]> { Value = value, Partition = i % 4 }, r =>
            {
                Assert.Null(r.Error);
                Interlocked.Increment(ref delivered);
            });
        }
        await producer.FlushAsync().WaitAsync(Timeout);
        Assert.Equal(800, delivered);
        var sizes = proxy.ProduceRequestSizes.ToList();
        Assert.All(sizes, size => Assert.True(size <= maxRequestSize, $"a Produce request of {size} bytes"));
        Assert.True(sizes.Max() > maxRequestSize / 2, $"largest request {sizes.Max()} bytes: batches were not filled toward the limit");
        long total = 0;
        await using var consumer = new Consumer<string, byte[]>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers });
        for (int p = 0; p < 4; p++)
        {
            total += (await consumer.QueryWatermarkOffsetsAsync(new TopicPartition(topic, p))).High;
        }
        Assert.Equal(800, total);
    }

    [Theory]
    [InlineData(-1, -1, 0)]
    [InlineData(0, 0, 0)]
    [InlineData(16, 100, 0)]
    [InlineData(100, 70_000, 3)]
    [InlineData(-1, 2_000_000, 1)]
    public void The_record_size_bound_covers_what_a_record_takes_in_its_batch(int keyLength, int valueLength, int headerCount)
    {
        Headers? headers = headerCount == 0 ? null : new Headers();
        for (int i = 0; i < headerCount; i++)
        {
            headers!.Add($"h-é{i}", new byte[i * 50]);
        }
        var batch = new ProducerBatch("t", 0, 4 * 1024 * 1024, 0);
        batch.TryAppend(0, new byte[8], true, new byte[8], true, null, null); // a first record: the next one has a wide timestamp delta
        int before = batch.SizeInBytes;
        Assert.True(batch.TryAppend(long.MaxValue / 2, new byte[Math.Max(0, keyLength)], keyLength >= 0,
            new byte[Math.Max(0, valueLength)], valueLength >= 0, headers, null));
        Assert.InRange(batch.SizeInBytes - before, 1, ProducerBatch.RecordSizeUpperBound(keyLength, valueLength, headers));
        batch.Release();
    }
}
