using System.Text;
using Rill.Protocol.Compression;

namespace Rill.Client.Tests;

public class ProduceConsumeTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(CompressionType.None, Acks.All)]
    [InlineData(CompressionType.Gzip, Acks.All)]
    [InlineData(CompressionType.Snappy, Acks.Leader)]
    [InlineData(CompressionType.Lz4, Acks.All)]
    [InlineData(CompressionType.Zstd, Acks.All)]
    public async Task Records_round_trip_with_keys_headers_and_timestamps(CompressionType compression, Acks acks)
    {
        string topic = BrokerFixture.NewTopic();
        await using (var admin = fixture.Admin())
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 3, 1)]);
        }
        var results = new List<DeliveryResult>();
        await using (var producer = new Producer<string, string>(fixture.Producer(c => { c.CompressionType = compression; c.Acks = acks; })))
        {
            for (int i = 0; i < 100; i++)
            {
                var headers = new Headers { { "h", $"v{i}" }, { "null", (byte[]?)null } };
                results.Add(await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"value {i}", Headers = headers, Timestamp = 1_700_000_000_000 + i }).WaitAsync(Timeout));
            }
        }
        Assert.All(results, r => Assert.True(r.Offset >= 0));
        Assert.All(results, r => Assert.Equal(Murmur2Partitioner.Partition(Encoding.UTF8.GetBytes($"k{results.IndexOf(r)}"), 3), r.Partition));

        await using var consumer = new Consumer<string, string>(fixture.Consumer());
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)));
        var seen = new Dictionary<string, ConsumeResult<string, string>>();
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (var record in consumer.ConsumeAsync(cts.Token))
        {
            seen[record.Key] = record;
            if (seen.Count == 100)
            {
                break;
            }
        }
        for (int i = 0; i < 100; i++)
        {
            var r = seen[$"k{i}"];
            Assert.Equal($"value {i}", r.Value);
            Assert.Equal(1_700_000_000_000 + i, r.Timestamp);
            Assert.Equal(results[i].Partition, r.Partition);
            Assert.Equal(results[i].Offset, r.Offset);
            var headers = r.GetHeaders();
            Assert.Equal(2, headers.Count);
            Assert.Equal($"v{i}", Encoding.UTF8.GetString(headers[0].Value!));
            Assert.Null(headers[1].Value);
        }
    }

    [Fact]
    public async Task Fire_and_forget_with_callbacks_then_flush_delivers_in_order_per_partition()
    {
        string topic = BrokerFixture.NewTopic();
        int delivered = 0;
        long lastOffset = -1;
        bool ordered = true;
        await using var producer = new Producer<byte[], byte[]>(fixture.Producer(c => c.BatchSize = 4096));
        var message = new Message<byte[], byte[]> { Value = new byte[100], Partition = 0 };
        for (int i = 0; i < 20_000; i++)
        {
            producer.Produce(topic, message, r =>
            {
                ordered &= r.Offset == lastOffset + 1;
                lastOffset = r.Offset;
                Interlocked.Increment(ref delivered);
            });
        }
        await producer.FlushAsync().WaitAsync(Timeout);
        Assert.Equal(20_000, delivered);
        Assert.True(ordered);
        Assert.Equal(19_999, lastOffset);
    }

    [Fact]
    public async Task Keyless_records_stick_to_a_partition_per_batch_and_spread_across_batches()
    {
        string topic = BrokerFixture.NewTopic();
        await using (var admin = fixture.Admin())
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 4, 1)]);
        }
        var partitions = new HashSet<int>();
        await using var producer = new Producer<string, string>(fixture.Producer(c => c.BatchSize = 1024));
        for (int i = 0; i < 400; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = null!, Value = new string('x', 100) }, r => { lock (partitions) { partitions.Add(r.Partition); } });
        }
        await producer.FlushAsync().WaitAsync(Timeout);
        Assert.True(partitions.Count > 1, "keyless records all went to one partition");
    }

    [Fact]
    public async Task Seek_by_offset_and_timestamp_and_pause_resume()
    {
        string topic = BrokerFixture.NewTopic();
        await using (var producer = new Producer<string, string>(fixture.Producer()))
        {
            for (int i = 0; i < 50; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = "k", Value = i.ToString(), Timestamp = 1_000_000 + i * 10 });
            }
            await producer.FlushAsync().WaitAsync(Timeout);
        }
        var tp = new TopicPartition(topic, 0);
        await using var consumer = new Consumer<string, string>(fixture.Consumer());
        consumer.Assign([new TopicPartitionOffset(topic, 0, 10)]);
        var first = await consumer.ConsumeOneAsync(Timeout);
        Assert.Equal(10, first!.Value.Offset);

        await consumer.SeekToTimestampAsync([tp], DateTimeOffset.FromUnixTimeMilliseconds(1_000_000 + 255));
        var byTime = await consumer.ConsumeOneAsync(Timeout);
        Assert.Equal(26, byTime!.Value.Offset);

        await consumer.SeekAsync(new TopicPartitionOffset(topic, 0, Offsets.Earliest));
        Assert.Equal(0, (await consumer.ConsumeOneAsync(Timeout))!.Value.Offset);

        consumer.Pause([tp]);
        Assert.Null(await consumer.ConsumeOneAsync(TimeSpan.FromMilliseconds(500)));
        consumer.Resume([tp]);
        Assert.Equal(1, (await consumer.ConsumeOneAsync(Timeout))!.Value.Offset);

        var (low, high) = await consumer.QueryWatermarkOffsetsAsync(tp);
        Assert.Equal((0L, 50L), (low, high));
    }

    [Fact]
    public async Task Unknown_partition_is_a_typed_error()
    {
        string topic = BrokerFixture.NewTopic();
        await using var producer = new Producer<string, string>(fixture.Producer());
        var e = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "v", Partition = 7 }));
        Assert.Equal(Rill.Protocol.ErrorCode.UnknownTopicOrPartition, e.ErrorCode);
    }

    [Fact]
    public async Task Producer_picks_up_added_partitions_after_metadata_max_age()
    {
        string topic = BrokerFixture.NewTopic();
        await using var admin = fixture.Admin();
        await admin.CreateTopicsAsync([new NewTopic(topic, 1, 1)]);
        await using var producer = new Producer<string, string>(fixture.Producer(c => c.MetadataMaxAgeMs = 300));
        Assert.Equal(0, (await producer.ProduceAsync(topic, "k", "v").WaitAsync(Timeout)).Partition);
        await admin.CreatePartitionsAsync(topic, 3);
        var partitions = new HashSet<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (partitions.Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            for (int i = 0; i < 30; i++)
            {
                partitions.Add((await producer.ProduceAsync(topic, $"key-{i}", "v").WaitAsync(Timeout)).Partition);
            }
        }
        Assert.Equal([0, 1, 2], partitions.Order());
    }
}
