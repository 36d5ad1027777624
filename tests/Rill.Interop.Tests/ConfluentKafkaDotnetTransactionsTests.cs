using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Rill.Interop.Tests;

/// <summary>Confluent.Kafka 1.9.3 (librdkafka 2.0.2) transactions against a real rill serve process.</summary>
public class ConfluentKafkaDotnetTransactionsTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private async Task<string> TopicAsync(string name)
    {
        ConfluentNative.Load();
        string topic = $"{name}-{Guid.NewGuid():N}"[..24];
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        return topic;
    }

    private IProducer<string, string> Transactional(string id) => new ProducerBuilder<string, string>(new ProducerConfig
    {
        BootstrapServers = fixture.Broker.BootstrapServers,
        TransactionalId = id,
        TransactionTimeoutMs = 10_000,
    }).Build();

    /// <summary>The values a read_committed consumer sees up to a non-transactional END record appended now.</summary>
    private List<string> ReadCommitted(string topic)
    {
        using (var plain = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build())
        {
            plain.Produce(topic, new Message<string, string> { Key = "end", Value = "END" });
            plain.Flush(Timeout);
        }
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = fixture.Broker.BootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            IsolationLevel = IsolationLevel.ReadCommitted,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result?.Message is null)
            {
                continue;
            }
            if (result.Message.Value == "END")
            {
                return values;
            }
            values.Add(result.Message.Value);
        }
        throw new TimeoutException($"No END record in {topic} for read_committed; read so far: {string.Join(',', values)}");
    }

    [Fact]
    public async Task Commit_and_abort_are_what_read_committed_sees()
    {
        string topic = await TopicAsync("dn-tx");
        using var producer = Transactional("dn-tx-" + Guid.NewGuid().ToString("N"));
        producer.InitTransactions(Timeout);
        producer.BeginTransaction();
        for (int i = 0; i < 5; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = "k", Value = $"committed-{i}" });
        }
        producer.CommitTransaction(Timeout);
        producer.BeginTransaction();
        for (int i = 0; i < 3; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = "k", Value = $"aborted-{i}" });
        }
        producer.Flush(Timeout);
        producer.AbortTransaction(Timeout);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"committed-{i}"), ReadCommitted(topic));
    }

    [Fact]
    public async Task A_zombie_producer_is_fenced()
    {
        string topic = await TopicAsync("dn-fence");
        string id = "dn-fence-" + Guid.NewGuid().ToString("N");
        using var zombie = Transactional(id);
        zombie.InitTransactions(Timeout);
        zombie.BeginTransaction();
        zombie.Produce(topic, new Message<string, string> { Key = "k", Value = "zombie" });
        zombie.Flush(Timeout);

        using var successor = Transactional(id);
        successor.InitTransactions(Timeout);
        successor.BeginTransaction();
        successor.Produce(topic, new Message<string, string> { Key = "k", Value = "successor" });
        successor.CommitTransaction(Timeout);

        var error = Assert.ThrowsAny<KafkaException>(() => zombie.CommitTransaction(Timeout));
        Assert.True(error.Error.IsFatal || error.Error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch, error.Error.ToString());
        Assert.Equal(["successor"], ReadCommitted(topic));
    }

    [Fact]
    public async Task Consume_transform_produce_commits_offsets_with_the_output()
    {
        string input = await TopicAsync("dn-in"), output = await TopicAsync("dn-out");
        string group = "dn-ctp-" + Guid.NewGuid().ToString("N");
        using (var seed = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build())
        {
            for (int i = 0; i < 6; i++)
            {
                seed.Produce(input, new Message<string, string> { Key = "k", Value = $"{i}" });
            }
            seed.Flush(Timeout);
        }
        using var producer = Transactional("dn-ctp-" + Guid.NewGuid().ToString("N"));
        producer.InitTransactions(Timeout);
        using (var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = fixture.Broker.BootstrapServers,
            GroupId = group,
            IsolationLevel = IsolationLevel.ReadCommitted,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build())
        {
            consumer.Subscribe(input);
            var deadline = DateTime.UtcNow + Timeout;
            int handled = 0;
            while (handled < 6 && DateTime.UtcNow < deadline)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (result?.Message is null)
                {
                    continue;
                }
                producer.BeginTransaction();
                producer.Produce(output, new Message<string, string> { Key = "k", Value = $"x{result.Message.Value}" });
                producer.SendOffsetsToTransaction([new TopicPartitionOffset(result.TopicPartition, result.Offset + 1)], consumer.ConsumerGroupMetadata, Timeout);
                if (result.Message.Value == "3")
                {
                    producer.AbortTransaction(Timeout); // neither x3 nor the offset after 3 counts; the next commit moves the offset on
                }
                else
                {
                    producer.CommitTransaction(Timeout);
                }
                handled++;
            }
            Assert.Equal(6, handled);
        }

        Assert.Equal(["x0", "x1", "x2", "x4", "x5"], ReadCommitted(output));
        using var check = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = fixture.Broker.BootstrapServers, GroupId = group }).Build();
        var committed = check.Committed([new TopicPartition(input, 0)], Timeout);
        Assert.Equal(6, committed[0].Offset.Value);
    }
}
