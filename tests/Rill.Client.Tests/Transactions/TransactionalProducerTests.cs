using Rill.Protocol;

namespace Rill.Client.Tests.Transactions;

/// <summary>Rill.Client's transactional producer and read_committed consumer against an EmbeddedBroker.</summary>
public class TransactionalProducerTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private async Task<string> TopicAsync(int partitions = 2)
    {
        string topic = BrokerFixture.NewTopic("txn");
        await using var admin = fixture.Admin();
        await admin.CreateTopicsAsync([new NewTopic(topic, partitions, 1)]);
        return topic;
    }

    private Producer<string, string> Transactional(string id)
        => new(fixture.Producer(c => { c.TransactionalId = id; c.LingerMs = 0; }));

    /// <summary>
    /// Every value a consumer of this isolation level reads from the start, in order per partition: a
    /// non-transactional END record appended to each partition marks where to stop (once no
    /// transaction is open before it, read_committed reaches it too).
    /// </summary>
    private async Task<List<string>> ReadAllAsync(string topic, int partitions, IsolationLevel isolation)
    {
        string end = $"END-{Guid.NewGuid():N}";
        await using (var marker = new Producer<string, string>(fixture.Producer()))
        {
            for (int p = 0; p < partitions; p++)
            {
                await marker.ProduceAsync(topic, new Message<string, string> { Key = "end", Value = end, Partition = p }).WaitAsync(Timeout);
            }
        }
        await using var consumer = new Consumer<string, string>(fixture.Consumer(configure: c => c.IsolationLevel = isolation));
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offsets.Earliest)));
        var values = new List<string>();
        int ended = 0;
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (var record in consumer.ConsumeAsync(cts.Token))
        {
            if (record.Value == end)
            {
                if (++ended == partitions)
                {
                    break;
                }
                continue;
            }
            if (!record.Value.StartsWith("END-", StringComparison.Ordinal))
            {
                values.Add(record.Value);
            }
        }
        Assert.Equal(partitions, ended);
        return values;
    }

    [Fact]
    public async Task Committed_records_are_read_committed_and_aborted_ones_only_read_uncommitted()
    {
        string topic = await TopicAsync();
        await using var producer = Transactional($"tx-{Guid.NewGuid():N}");
        await producer.InitTransactionsAsync().WaitAsync(Timeout);

        producer.BeginTransaction();
        for (int i = 0; i < 4; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = $"a{i}", Value = $"aborted-{i}", Partition = i % 2 });
        }
        await producer.AbortTransactionAsync().WaitAsync(Timeout);

        producer.BeginTransaction();
        for (int i = 0; i < 6; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = $"c{i}", Value = $"committed-{i}", Partition = i % 2 });
        }
        await producer.CommitTransactionAsync().WaitAsync(Timeout);

        var committed = await ReadAllAsync(topic, 2, IsolationLevel.ReadCommitted);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"committed-{i}").Order(), committed.Order());
        var everything = await ReadAllAsync(topic, 2, IsolationLevel.ReadUncommitted);
        Assert.Equal(10, everything.Count);
    }

    [Fact]
    public async Task An_open_transaction_holds_back_read_committed_until_it_commits()
    {
        string topic = await TopicAsync(1);
        await using var producer = Transactional($"tx-{Guid.NewGuid():N}");
        await producer.InitTransactionsAsync().WaitAsync(Timeout);
        producer.BeginTransaction();
        await producer.ProduceAsync(topic, "k", "open").WaitAsync(Timeout);

        await using var committedView = new Consumer<string, string>(fixture.Consumer(configure: c => c.IsolationLevel = IsolationLevel.ReadCommitted));
        await using var uncommittedView = new Consumer<string, string>(fixture.Consumer());
        var tp = new TopicPartition(topic, 0);
        Assert.Equal(0, (await committedView.QueryWatermarkOffsetsAsync(tp)).High); // the last stable offset
        Assert.Equal(1, (await uncommittedView.QueryWatermarkOffsetsAsync(tp)).High); // the high watermark

        await producer.CommitTransactionAsync().WaitAsync(Timeout);
        Assert.Equal(2, (await committedView.QueryWatermarkOffsetsAsync(tp)).High); // the record and the commit marker
        Assert.Equal(["open"], await ReadAllAsync(topic, 1, IsolationLevel.ReadCommitted));
    }

    [Fact]
    public async Task A_second_producer_with_the_same_transactional_id_fences_the_first()
    {
        string topic = await TopicAsync(1);
        string id = $"tx-{Guid.NewGuid():N}";
        await using var zombie = Transactional(id);
        await zombie.InitTransactionsAsync().WaitAsync(Timeout);
        zombie.BeginTransaction();
        await zombie.ProduceAsync(topic, "k", "zombie").WaitAsync(Timeout);

        await using var successor = Transactional(id);
        await successor.InitTransactionsAsync().WaitAsync(Timeout); // aborts the zombie's open transaction
        successor.BeginTransaction();
        await successor.ProduceAsync(topic, "k", "successor").WaitAsync(Timeout);
        await successor.CommitTransactionAsync().WaitAsync(Timeout);

        var fenced = await Assert.ThrowsAsync<KafkaException>(() => zombie.CommitTransactionAsync().WaitAsync(Timeout));
        Assert.Contains(fenced.ErrorCode, new[] { ErrorCode.ProducerFenced, ErrorCode.InvalidProducerEpoch });
        Assert.Throws<KafkaException>(() => zombie.BeginTransaction()); // fenced is final

        Assert.Equal(["successor"], await ReadAllAsync(topic, 1, IsolationLevel.ReadCommitted));
    }

    [Fact]
    public async Task Records_outside_a_transaction_are_refused()
    {
        string topic = await TopicAsync(1);
        await using var producer = Transactional($"tx-{Guid.NewGuid():N}");
        Assert.Throws<InvalidOperationException>(() => producer.BeginTransaction()); // before InitTransactions
        await producer.InitTransactionsAsync().WaitAsync(Timeout);
        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.ProduceAsync(topic, "k", "v"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => producer.CommitTransactionAsync());
    }

    [Fact]
    public async Task Consume_transform_produce_commits_output_and_offsets_together()
    {
        string input = await TopicAsync(1), output = await TopicAsync(1);
        string group = $"ctp-{Guid.NewGuid():N}";
        await using (var seed = new Producer<string, string>(fixture.Producer()))
        {
            for (int i = 0; i < 20; i++)
            {
                seed.Produce(input, new Message<string, string> { Key = $"k{i}", Value = $"{i}" });
            }
            await seed.FlushAsync().WaitAsync(Timeout);
        }

        await using var producer = Transactional($"ctp-{Guid.NewGuid():N}");
        await producer.InitTransactionsAsync().WaitAsync(Timeout);
        await using (var consumer = new Consumer<string, string>(fixture.Consumer(group, c =>
        {
            c.IsolationLevel = IsolationLevel.ReadCommitted;
            c.EnableAutoCommit = false;
            c.AutoOffsetReset = AutoOffsetReset.Earliest;
        })))
        {
            consumer.Subscribe([input]);
            using var cts = new CancellationTokenSource(Timeout);
            int round = 0, inRound = 0;
            producer.BeginTransaction();
            await foreach (var record in consumer.ConsumeAsync(cts.Token))
            {
                producer.Produce(output, new Message<string, string> { Key = record.Key, Value = $"x{record.Value}" });
                if (++inRound < 5)
                {
                    continue;
                }
                // Each round of 5: the output and the input position go into one transaction; round 1 is aborted.
                await producer.SendOffsetsToTransactionAsync([new TopicPartitionOffset(input, 0, record.Offset + 1)], consumer.GroupMetadata);
                if (round == 1)
                {
                    await producer.AbortTransactionAsync();
                }
                else
                {
                    await producer.CommitTransactionAsync();
                }
                inRound = 0;
                if (++round == 4)
                {
                    break;
                }
                producer.BeginTransaction();
            }
        }

        var outputs = await ReadAllAsync(output, 1, IsolationLevel.ReadCommitted);
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i / 5 != 1).Select(i => $"x{i}"), outputs);
        await using var check = new Consumer<string, string>(fixture.Consumer(group));
        var committed = await check.CommittedAsync([new TopicPartition(input, 0)]);
        Assert.Equal(20, committed[new TopicPartition(input, 0)]);
    }
}
