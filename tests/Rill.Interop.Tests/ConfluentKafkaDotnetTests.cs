using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Rill.Interop.Tests;

/// <summary>Confluent.Kafka 1.9.3 for .NET over Debian's librdkafka, against a real rill serve process.</summary>
public class ConfluentKafkaDotnetTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    internal static void LoadNative() => ConfluentNative.Load();

    [Fact]
    public async Task Produce_then_assign_and_consume()
    {
        LoadNative();
        string bootstrap = fixture.Broker.BootstrapServers;
        const string topic = "dotnet-roundtrip";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 2, ReplicationFactor = 1 }]);
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
            Assert.Equal(2, metadata.Topics[0].Partitions.Count);
        }

        var delivered = new List<DeliveryResult<string, string>>();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            CompressionType = CompressionType.Lz4,
        }).Build())
        {
            for (int i = 0; i < 500; i++)
            {
                var headers = new Headers { { "n", BitConverter.GetBytes(i) } };
                delivered.Add(await producer.ProduceAsync(new TopicPartition(topic, new Partition(i % 2)),
                    new Message<string, string> { Key = $"rider-{i % 9}", Value = $"position-{i}", Headers = headers }));
            }
            producer.Flush(TimeSpan.FromSeconds(10));
        }
        Assert.All(delivered, d => Assert.Equal(PersistenceStatus.Persisted, d.Status));
        Assert.Equal(Enumerable.Range(0, 250).Select(i => (long)i), delivered.Where(d => d.Partition == 0).Select(d => d.Offset.Value));

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "unused-by-assign",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign([new TopicPartitionOffset(topic, 0, 0), new TopicPartitionOffset(topic, 1, 0)]);
        var received = new List<ConsumeResult<string, string>>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (received.Count < 500 && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is not null && !result.IsPartitionEOF)
            {
                received.Add(result);
            }
        }
        Assert.Equal(500, received.Count);
        foreach (var r in received)
        {
            int n = BitConverter.ToInt32(r.Message.Headers.GetLastBytes("n"));
            Assert.Equal($"position-{n}", r.Message.Value);
            Assert.Equal($"rider-{n % 9}", r.Message.Key);
            Assert.Equal(n % 2, r.Partition.Value);
            Assert.Equal(n / 2, r.Offset.Value);
        }
    }

    [Fact]
    public async Task Admin_delete_records_describe_and_alter_configs_and_create_partitions()
    {
        LoadNative();
        string bootstrap = fixture.Broker.BootstrapServers;
        const string topic = "dotnet-admin";
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic, NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["retention.bytes"] = "10000000" },
        }]);

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All }).Build())
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(topic, new Message<Null, string> { Value = $"record-{i}" });
            }
        }

        var deleted = await admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 4)]);
        Assert.Equal(4, deleted[0].Offset.Value);
        var beyond = await Assert.ThrowsAsync<DeleteRecordsException>(() => admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 50)]));
        Assert.Equal(ErrorCode.OffsetOutOfRange, beyond.Results[0].Error.Code);

        using (var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "dotnet-admin-reader", EnableAutoCommit = false, AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build())
        {
            var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(20));
            Assert.Equal((4L, 10L), (watermarks.Low.Value, watermarks.High.Value));
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            ConsumeResult<Ignore, string>? first = null;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (first is null && DateTime.UtcNow < deadline)
            {
                first = consumer.Consume(TimeSpan.FromSeconds(1));
            }
            Assert.NotNull(first);
            Assert.Equal((4L, "record-4"), (first.Offset.Value, first.Message.Value));
        }

        var resource = new ConfigResource { Type = ResourceType.Topic, Name = topic };
        var described = (await admin.DescribeConfigsAsync([resource]))[0].Entries;
        Assert.Equal(("10000000", ConfigSource.DynamicTopicConfig), (described["retention.bytes"].Value, described["retention.bytes"].Source));
        Assert.Equal(ConfigSource.DefaultConfig, described["segment.bytes"].Source);
        await admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new ConfigEntry { Name = "cleanup.policy", Value = "compact" }],
        });
        described = (await admin.DescribeConfigsAsync([resource]))[0].Entries;
        Assert.Equal("compact", described["cleanup.policy"].Value);
        Assert.Equal(ConfigSource.DefaultConfig, described["retention.bytes"].Source);
        // A compacted-only topic refuses DeleteRecords (POLICY_VIOLATION), as Kafka does.
        var refused = await Assert.ThrowsAsync<DeleteRecordsException>(() => admin.DeleteRecordsAsync([new TopicPartitionOffset(topic, 0, 6)]));
        Assert.Equal(ErrorCode.PolicyViolation, refused.Results[0].Error.Code);

        var broker = (await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Broker, Name = "1" }]))[0].Entries;
        Assert.True(broker["listeners"].IsReadOnly);
        Assert.Equal("1048588", broker["message.max.bytes"].Value);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = topic, IncreaseTo = 3 }]);
        Assert.Equal(3, admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count);
    }

    [Fact]
    public async Task Two_group_members_share_a_topic_consume_everything_once_and_one_takes_over_on_close()
    {
        LoadNative();
        string bootstrap = fixture.Broker.BootstrapServers;
        const string topic = "dotnet-group";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = 1 }]);
        }
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, EnableIdempotence = true }).Build())
        {
            for (int i = 0; i < 400; i++)
            {
                await producer.ProduceAsync(new TopicPartition(topic, new Partition(i % 4)), new Message<Null, string> { Value = i.ToString() });
            }
        }

        var seen = new System.Collections.Concurrent.ConcurrentDictionary<(int, long), int>();
        var duplicates = new System.Collections.Concurrent.ConcurrentBag<(int, long)>();
        using var stopB = new CancellationTokenSource();
        using var stopA = new CancellationTokenSource();
        IConsumer<Ignore, string> Member() => new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "dotnet-group-g", AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false, SessionTimeoutMs = 6000, HeartbeatIntervalMs = 500,
        }).Build();
        var a = Member();
        var b = Member();
        Task Run(IConsumer<Ignore, string> c, CancellationToken stop) => Task.Run(() =>
        {
            c.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                var r = c.Consume(100);
                if (r is null)
                {
                    continue;
                }
                if (!seen.TryAdd((r.Partition.Value, r.Offset.Value), int.Parse(r.Message.Value)))
                {
                    duplicates.Add((r.Partition.Value, r.Offset.Value));
                }
                c.Commit(r);   // synchronous
            }
        });
        Task runA = Run(a, stopA.Token), runB = Run(b, stopB.Token);
        static async Task Until(string what, Func<bool> check)
        {
            for (int i = 0; i < 600 && !check(); i++)
            {
                await Task.Delay(100);
            }
            Assert.True(check(), "timed out: " + what);
        }
        await Until("shared and consumed", () => a.Assignment.Count == 2 && b.Assignment.Count == 2 && seen.Count == 400);
        Assert.Equal([0, 1, 2, 3], a.Assignment.Concat(b.Assignment).Select(p => p.Partition.Value).Order());
        Assert.Empty(duplicates);
        Assert.Equal(Enumerable.Range(0, 400), seen.Values.Order());

        stopB.Cancel();
        await runB;
        b.Close();
        await Until("a takes over", () => a.Assignment.Count == 4);
        stopA.Cancel();
        await runA;
        var committed = a.Committed(Enumerable.Range(0, 4).Select(p => new TopicPartition(topic, new Partition(p))), TimeSpan.FromSeconds(10));
        Assert.Equal(400, committed.Sum(c => c.Offset.Value));
        a.Close();
        a.Dispose();
        b.Dispose();
    }
}
