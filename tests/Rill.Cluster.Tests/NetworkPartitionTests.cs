using Rill.Cluster.Tests.Harness;
using static Rill.Cluster.Tests.Harness.ClusterClient;

namespace Rill.Cluster.Tests;

/// <summary>
/// Network partitions through TCP proxies (<see cref="BrokerLinks"/>): a leader cut off from the clients, the other
/// brokers and etcd loses its session and leadership, a new leader is elected, what the old one takes with acks=all
/// is never acknowledged, and after the heal it truncates and follows.
/// </summary>
public sealed class NetworkPartitionTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    [Fact]
    public async Task A_partitioned_leader_loses_leadership_never_acknowledges_acks_all_and_truncates_and_follows_after_the_heal()
    {
        await using RillCluster cluster = await RillCluster.StartProxiedAsync(fixture.Etcd, 3, "broker.session.timeout.ms=3000", "replica.lag.time.max.ms=3000");
        string all = cluster.AdvertisedBootstrap();
        await CreateAsync(all, "cut", 1, 3, "min.insync.replicas=2");
        PartitionView before = (await Eventually.ValueAsync(() => DescribeAsync(all, "cut"),
            v => v is [{ Isr.Length: 3, Leader: > 0 }], "a leader and a full ISR"))![0];
        var acked = await ProduceAsync(all, "cut", 100, "before");
        Assert.Equal(100, acked.Count);

        int old = before.Leader;
        string majority = cluster.AdvertisedBootstrap(old);
        cluster.Links(old).Isolate();
        try
        {
            // The isolated minority (the old leader alone) still takes a record, sent straight to its listener
            // (not through the cut proxy), but can never acknowledge it with acks=all: its followers left it.
            Task<string> minorityWrite = ProduceRawAsync(cluster.Broker(old).BootstrapServers, "cut", 0, "minority-write", timeoutMs: 8000);

            PartitionView after = (await Eventually.ValueAsync(() => DescribeAsync(majority, "cut"),
                v => v is [{ Leader: > 0 } p] && p.Leader != old, "a new leader on the majority side", TimeSpan.FromSeconds(30)))![0];
            Assert.DoesNotContain(old, after.Isr);
            acked.AddRange(await ProduceAsync(majority, "cut", 100, "majority"));
            Assert.Equal(200, acked.Count);

            string answer = await minorityWrite;
            Assert.NotEqual("0", answer); // REQUEST_TIMED_OUT (7) or NOT_ENOUGH_REPLICAS (19/20): never acknowledged
        }
        finally
        {
            cluster.Links(old).Heal();
        }

        // Healed: the old leader finds its session gone, registers again, follows the new leader (dropping the
        // unacknowledged record) and rejoins the ISR.
        await Eventually.ValueAsync(() => DescribeAsync(all, "cut"), v => v is [{ Isr.Length: 3 } p] && p.Leader != old,
            "the old leader back in the ISR as a follower", TimeSpan.FromSeconds(60));
        string output = cluster.Broker(old).Output;
        Assert.Contains("fenced until it registers again", output, StringComparison.Ordinal);
        Assert.Contains("cut-0: truncated", output, StringComparison.Ordinal);
        List<AckedRecord> read = await ConsumeAsync(all, "cut", 200);
        Assert.DoesNotContain(read, r => r.Value == "minority-write");
        AssertSameRecords(acked, read);
    }
}
