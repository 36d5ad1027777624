using System.Collections.Concurrent;

namespace Rill.Client.Tests;

public class GroupTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private async Task<string> TopicWithRecordsAsync(int partitions, int records)
    {
        string topic = BrokerFixture.NewTopic("g");
        await using (var admin = fixture.Admin())
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, partitions, 1)]);
        }
        await using var producer = new Producer<string, string>(fixture.Producer());
        for (int i = 0; i < records; i++)
        {
            producer.Produce(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
        }
        await producer.FlushAsync();
        return topic;
    }

    [Theory]
    [InlineData("range")]
    [InlineData("cooperative-sticky")]
    [InlineData("kip-848")]
    public async Task Two_consumers_share_the_partitions_and_read_every_record_once(string assignor)
    {
        void Configure(ConsumerConfig c)
        {
            if (assignor == "kip-848")
            {
                c.GroupProtocol = "consumer";
            }
            else
            {
                c.PartitionAssignmentStrategy = assignor;
            }
        }
        string topic = await TopicWithRecordsAsync(4, 200);
        string group = "grp-" + Guid.NewGuid().ToString("N")[..8];
        var seen = new ConcurrentDictionary<string, int>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        async Task<IReadOnlyList<TopicPartition>> RunAsync(Consumer<string, string> consumer)
        {
            consumer.Subscribe(topic);
            try
            {
                await foreach (var r in consumer.ConsumeAsync(cts.Token))
                {
                    seen.AddOrUpdate(r.Key, 1, (_, n) => n + 1);
                    await consumer.CommitAsync(cts.Token);
                    if (seen.Count == 200 && consumer.Assignment.Count == 2)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            return consumer.Assignment;
        }
        await using var a = new Consumer<string, string>(fixture.Consumer(group, Configure));
        await using var b = new Consumer<string, string>(fixture.Consumer(group, Configure));
        var runA = RunAsync(a);
        await Task.Delay(300);
        var runB = RunAsync(b);
        while (!cts.IsCancellationRequested && !(seen.Count == 200 && a.Assignment.Count == 2 && b.Assignment.Count == 2))
        {
            await Task.Delay(100);
        }
        Assert.Equal(200, seen.Count);
        Assert.Equal(2, a.Assignment.Count);
        Assert.Equal(2, b.Assignment.Count);
        Assert.Empty(a.Assignment.Intersect(b.Assignment));
        cts.Cancel();
        await Task.WhenAll(runA, runB);
    }

    [Fact]
    public async Task Committed_offsets_resume_a_restarted_member_and_admin_lists_them()
    {
        string topic = await TopicWithRecordsAsync(1, 10);
        string group = "grp-" + Guid.NewGuid().ToString("N")[..8];
        var assigned = new List<TopicPartition>();
        await using (var consumer = new Consumer<string, string>(fixture.Consumer(group, c => c.EnableAutoCommit = false)))
        {
            consumer.PartitionsAssigned = p => assigned.AddRange(p);
            consumer.Subscribe(topic);
            int n = 0;
            await foreach (var r in consumer.ConsumeAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token))
            {
                if (++n == 4)
                {
                    await consumer.CommitAsync();
                    break;
                }
            }
        }
        Assert.Equal([new TopicPartition(topic, 0)], assigned);
        await using (var admin = fixture.Admin())
        {
            var offsets = await admin.ListGroupOffsetsAsync(group);
            Assert.Equal(4, offsets[new TopicPartition(topic, 0)]);
            await admin.AlterGroupOffsetsAsync(group, [new TopicPartitionOffset(topic, 0, 7)]);
        }
        await using var again = new Consumer<string, string>(fixture.Consumer(group));
        again.Subscribe(topic);
        var next = await again.ConsumeOneAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(7, next!.Value.Offset);
    }

    [Fact]
    public async Task Rill_Client_and_kafka_python_share_a_group()
    {
        string topic = await TopicWithRecordsAsync(4, 40);
        string group = "grp-" + Guid.NewGuid().ToString("N")[..8];
        var history = new List<(double Time, string Partitions)>();
        await using var consumer = new Consumer<string, string>(fixture.Consumer(group, c => c.PartitionAssignmentStrategy = "range"));
        void Record() { lock (history) { history.Add((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0, string.Join(",", consumer.Assignment.Select(p => p.Partition)))); } }
        consumer.PartitionsAssigned = _ => Record();
        consumer.PartitionsRevoked = _ => Record();
        consumer.Subscribe(topic);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var loop = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in consumer.ConsumeAsync(cts.Token))
                {
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        string output = await ExternalTool.PythonAsync("python_group.py", fixture.Bootstrap, topic, group, "12");
        cts.Cancel();
        await loop;
        // kafka-python's assignment when it was stable with both members: the last one before it left.
        var python = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).Last(l => l.Length > 2 && l[2].Length > 0);
        double at = double.Parse(python[1], System.Globalization.CultureInfo.InvariantCulture);
        string ours;
        lock (history)
        {
            ours = history.Last(h => h.Time <= at + 0.5).Partitions;
        }
        var all = python[2].Split(',').Concat(ours.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).Order().ToList();
        Assert.Equal([0, 1, 2, 3], all);
        Assert.NotEqual("", ours);
    }
}
