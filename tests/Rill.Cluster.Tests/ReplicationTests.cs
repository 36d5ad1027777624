using System.Text.RegularExpressions;
using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>
/// Replicated partitions on 3 `rill serve` processes and a 3-member etcd, driven by librdkafka
/// (confluent-kafka-python): placement and Metadata on every broker, acks=all, failover after kill -9.
/// </summary>
public sealed partial class ReplicationTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private sealed record PartitionView(int Partition, int Leader, int[] Replicas, int[] Isr);

    private static async Task<PartitionView[]?> DescribeAsync(RillProcess broker, string topic)
    {
        ExternalTool.Result result = await ExternalTool.RunAsync(ExternalTool.Python, [ExternalTool.Script("cluster_client.py"), "describe", broker.BootstrapServers, topic],
            timeout: TimeSpan.FromSeconds(30));
        if (result.ExitCode != 0)
        {
            return null;
        }
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            string[] f = line.Split(' ');
            return new PartitionView(int.Parse(f[0]), int.Parse(f[1]), Ids(f[2]), Ids(f[3]));
        }).ToArray();
    }

    private static int[] Ids(string list) => list.Length == 0 ? [] : list.Split(',').Select(int.Parse).Order().ToArray();

    private static Task CreateAsync(RillProcess broker, string topic, int partitions, int rf, params string[] configs)
        => ExternalTool.RunOkAsync(ExternalTool.Python, [ExternalTool.Script("cluster_client.py"), "create", broker.BootstrapServers, topic, $"{partitions}", $"{rf}", .. configs],
            timeout: TimeSpan.FromSeconds(60));

    /// <summary>acks=all idempotent producer: the values it saw acknowledged, per partition in offset order.</summary>
    private static async Task<List<(int Partition, long Offset, string Value)>> ProduceAsync(string bootstrap, string topic, int count, string prefix,
        int pauseMs = 0)
    {
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [ExternalTool.Script("cluster_client.py"), "produce", bootstrap, topic, $"{count}", prefix, $"{pauseMs}"],
            timeout: TimeSpan.FromSeconds(150));
        return Acked().Matches(output).Select(m => (int.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), m.Groups[3].Value)).ToList();
    }

    private static async Task<List<(int Partition, long Offset, string Value)>> ConsumeAsync(string bootstrap, string topic, int expected)
    {
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [ExternalTool.Script("cluster_client.py"), "consume", bootstrap, topic, $"{expected}"],
            timeout: TimeSpan.FromSeconds(90));
        return Consumed().Matches(output).Select(m => (int.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), m.Groups[3].Value)).ToList();
    }

    [Fact]
    public async Task An_rf3_topic_is_placed_across_the_brokers_and_every_broker_describes_it_the_same()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=3000");
        await CreateAsync(cluster.Broker(2), "placed", 3, 3, "min.insync.replicas=2");

        PartitionView[] seen = (await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(1), "placed"),
            v => v is { Length: 3 } && v.All(p => p.Isr.Length == 3), "3 partitions with a full ISR"))!;
        Assert.All(seen, p => Assert.Equal([1, 2, 3], p.Replicas));
        Assert.Equal([1, 2, 3], seen.Select(p => p.Leader).Order().ToArray()); // one leader per broker
        foreach (RillProcess broker in cluster.Brokers)
        {
            PartitionView[]? other = await DescribeAsync(broker, "placed");
            Assert.Equal(seen.Select(p => (p.Partition, p.Leader)), other!.Select(p => (p.Partition, p.Leader)));
        }

        // A second create of the same name, on another broker, conflicts through the store.
        ExternalTool.Result again = await ExternalTool.RunAsync(ExternalTool.Python,
            [ExternalTool.Script("cluster_client.py"), "create", cluster.Broker(3).BootstrapServers, "placed", "1", "3"], timeout: TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("TOPIC_ALREADY_EXISTS", again.Stderr + again.Stdout);

        // Only the leader answers for a partition: a raw ListOffsets (no client routing) to a follower is NOT_LEADER_OR_FOLLOWER (6).
        foreach (RillProcess broker in cluster.Brokers)
        {
            string error = (await ExternalTool.RunOkAsync(ExternalTool.Python, [ExternalTool.Script("cluster_client.py"), "list-offsets-error",
                broker.BootstrapServers, "placed", "0"], timeout: TimeSpan.FromSeconds(30))).Trim();
            Assert.Equal(cluster.Brokers.ToList().IndexOf(broker) + 1 == seen[0].Leader ? "0" : "6", error);
        }

        // rill topics --describe shows Kafka's Leader/Replicas/Isr columns.
        string rill = Path.Combine(AppContext.BaseDirectory, "rill.dll");
        string describe = await ExternalTool.RunOkAsync("dotnet", [rill, "topics", "--bootstrap-server", cluster.Broker(3).BootstrapServers,
            "--describe", "--topic", "placed"], timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(3, Regex.Matches(describe, @"Leader: [123]\tReplicas: \d,\d,\d\tIsr: \d,\d,\d").Count);

        // Records produced with acks=all are readable through any broker's view, exactly once, in order.
        var acked = await ProduceAsync(cluster.Broker(3).BootstrapServers, "placed", 300, "v");
        Assert.Equal(300, acked.Count);
        var read = await ConsumeAsync(cluster.Broker(1).BootstrapServers, "placed", 300);
        AssertSameRecords(acked, read);
    }

    [Fact]
    public async Task Killing_the_leader_elects_one_from_the_isr_and_no_acknowledged_record_is_lost()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=2000", "replica.lag.time.max.ms=3000");
        await CreateAsync(cluster.Broker(1), "failover", 1, 3, "min.insync.replicas=2");
        PartitionView before = (await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(1), "failover"),
            v => v is [{ Isr.Length: 3, Leader: > 0 }], "a leader and a full ISR"))![0];
        var acked = await ProduceAsync(cluster.BootstrapServers, "failover", 200, "before");
        Assert.Equal(200, acked.Count);

        await cluster.Broker(before.Leader).KillAsync();
        RillProcess survivor = cluster.Broker(before.Leader == 1 ? 2 : 1);
        PartitionView after = (await Eventually.ValueAsync(() => DescribeAsync(survivor, "failover"),
            v => v is [{ Leader: > 0 } p] && p.Leader != before.Leader, "a new leader from the ISR", TimeSpan.FromSeconds(30)))![0];
        // The new leader took over in a later leader epoch than the first leader's 0.
        string[] terms = cluster.Broker(after.Leader).Output.Split('\n').Where(l => l.Contains("failover-0: leader (epoch", StringComparison.Ordinal)).ToArray();
        Assert.True(terms.Length > 0 && terms.All(l => !l.Contains("(epoch 0,", StringComparison.Ordinal)), string.Join('\n', terms));
        Assert.DoesNotContain(before.Leader, after.Isr);

        string survivors = string.Join(',', cluster.Brokers.Where((_, i) => i + 1 != before.Leader).Select(b => b.BootstrapServers));
        acked.AddRange(await ProduceAsync(survivors, "failover", 200, "after"));
        Assert.Equal(400, acked.Count);
        AssertSameRecords(acked, await ConsumeAsync(survivors, "failover", 400));

        // The old leader comes back as a follower, catches up and rejoins the ISR.
        await cluster.Broker(before.Leader).RestartAsync();
        await Eventually.ValueAsync(() => DescribeAsync(survivor, "failover"), v => v is [{ Isr.Length: 3 }], "the restarted replica back in the ISR",
            TimeSpan.FromSeconds(40));
    }

    /// <summary>The leader's latest offset (kcat -Q: ListOffsets through librdkafka), or -1.</summary>
    private static async Task<long> LatestOffsetAsync(string bootstrap, string topic)
    {
        ExternalTool.Result result = await ExternalTool.RunAsync("kcat", ["-Q", "-b", bootstrap, "-t", $"{topic}:0:-1"], timeout: TimeSpan.FromSeconds(15));
        Match m = Regex.Match(result.Stdout, @"offset (\d+)");
        return result.ExitCode == 0 && m.Success ? long.Parse(m.Groups[1].Value) : -1;
    }

    [Fact]
    public async Task A_producer_in_flight_when_the_leader_is_killed_follows_the_new_leader_and_every_acked_record_is_read_once()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=2000");
        await CreateAsync(cluster.Broker(1), "inflight", 1, 3, "min.insync.replicas=2");
        PartitionView before = (await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(1), "inflight"),
            v => v is [{ Isr.Length: 3, Leader: > 0 }], "a leader and a full ISR"))![0];

        // About 10 s of producing (10 records every 50 ms); the leader dies while records are in flight.
        Task<List<(int Partition, long Offset, string Value)>> producing = ProduceAsync(cluster.BootstrapServers, "inflight", 2000, "r", pauseMs: 50);
        await Eventually.TrueAsync(async () => await LatestOffsetAsync(cluster.BootstrapServers, "inflight") >= 300, "300 records in");
        await cluster.Broker(before.Leader).KillAsync();
        var acked = await producing;
        Assert.Equal(2000, acked.Count); // librdkafka moved to the new leader (NOT_LEADER_OR_FOLLOWER / metadata refresh) and retried

        string survivors = string.Join(',', cluster.Brokers.Where((_, i) => i + 1 != before.Leader).Select(b => b.BootstrapServers));
        PartitionView after = (await DescribeAsync(cluster.Broker(before.Leader == 1 ? 2 : 1), "inflight"))![0];
        Assert.NotEqual(before.Leader, after.Leader);
        Assert.Contains(after.Leader, before.Isr);
        AssertSameRecords(acked, await ConsumeAsync(survivors, "inflight", 2000));
    }

    [Fact]
    public async Task Controlled_shutdown_moves_leadership_before_the_broker_leaves()
    {
        // A long session: only the controlled shutdown (not the session expiry) can move leadership in time.
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=30000");
        await CreateAsync(cluster.Broker(1), "handover", 3, 3);
        PartitionView[] before = (await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(1), "handover"),
            v => v is { Length: 3 } && v.All(p => p.Isr.Length == 3), "a full ISR"))!;
        var acked = await ProduceAsync(cluster.BootstrapServers, "handover", 100, "h");
        int leaving = before[0].Leader;

        Assert.Equal(0, await cluster.Broker(leaving).StopAsync());
        RillProcess survivor = cluster.Broker(leaving == 1 ? 2 : 1);
        PartitionView[] after = (await Eventually.ValueAsync(() => DescribeAsync(survivor, "handover"),
            // The controlled shutdown moves the leaderships and takes the broker out of every ISR; the survivor's Metadata
            // showed the moved leaders once before the ISR change (one CI run), so the wait covers both (10 s, far below
            // the 30 s session).
            v => v is { Length: 3 } && v.All(p => p.Leader > 0 && p.Leader != leaving && !p.Isr.Contains(leaving)),
            "every leadership moved and the broker out of every ISR", TimeSpan.FromSeconds(10)))!;
        Assert.All(after, p => Assert.DoesNotContain(leaving, p.Isr));
        string survivors = string.Join(',', cluster.Brokers.Where((_, i) => i + 1 != leaving).Select(b => b.BootstrapServers));
        AssertSameRecords(acked, await ConsumeAsync(survivors, "handover", 100));
    }

    private static void AssertSameRecords(List<(int Partition, long Offset, string Value)> acked, List<(int Partition, long Offset, string Value)> read)
    {
        foreach (var group in acked.GroupBy(a => a.Partition))
        {
            var expected = group.OrderBy(a => a.Offset).Select(a => (a.Offset, a.Value)).ToArray();
            var actual = read.Where(r => r.Partition == group.Key).Select(r => (r.Offset, r.Value)).ToArray();
            Assert.Equal(expected, actual);
        }
        Assert.Equal(acked.Count, read.Count);
    }

    [GeneratedRegex(@"^acked (\d+) (\d+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Acked();

    [GeneratedRegex(@"^(\d+) (\d+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Consumed();
}
