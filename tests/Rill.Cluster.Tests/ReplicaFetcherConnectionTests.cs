using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>
/// Kafka's replica fetcher design on 3 `rill serve` processes: a broker fetches every partition it follows from one leader
/// over one connection (num.replica.fetchers=1), counted on the leader's side from /proc, with 12 partitions of RF 3 and
/// the default 50-partition __consumer_offsets (created by the consumer group); every partition is replicated
/// (min.insync.replicas=3 acks=all succeeds for all of them, each ISR is full).
/// </summary>
public sealed class ReplicaFetcherConnectionTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    [Fact]
    public async Task A_broker_fetches_all_partitions_it_follows_from_one_leader_over_one_connection()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "rill.cluster.failure.probe.interval.ms=0");
        await ClusterClient.CreateAsync(cluster.BootstrapServers, "fanned", 12, 3, "min.insync.replicas=3");
        ClusterClient.PartitionView[] placed = (await Eventually.ValueAsync(() => ClusterClient.DescribeAsync(cluster.BootstrapServers, "fanned"),
            v => v is { Length: 12 } && v.All(p => p.Isr.Length == 3), "12 partitions with a full ISR"))!;
        Assert.All([1, 2, 3], id => Assert.True(placed.Count(p => p.Leader == id) >= 2, $"broker {id} leads several partitions"));

        // acks=all with min.insync.replicas=3 needs both followers of every partition to replicate each record.
        var acked = await ClusterClient.ProduceAsync(cluster.BootstrapServers, "fanned", 600, "f");
        Assert.Equal(600, acked.Count);
        Assert.Equal(12, acked.Select(a => a.Partition).Distinct().Count());
        ClusterClient.AssertSameRecords(acked, await ClusterClient.ConsumeAsync(cluster.BootstrapServers, "fanned", 600));
        ClusterClient.PartitionView[] offsets = (await Eventually.ValueAsync(() => ClusterClient.DescribeAsync(cluster.BootstrapServers, "__consumer_offsets"),
            v => v is { Length: 50 } && v.All(p => p.Isr.Length == 3), "__consumer_offsets with 50 partitions and full ISRs"))!;
        Assert.All([1, 2, 3], id => Assert.True(offsets.Count(p => p.Leader == id) >= 10, $"broker {id} leads many __consumer_offsets partitions"));

        // Each broker follows about 4 + 16 partitions from each other broker: one connection each, as the leader counts them
        // (the failure detector's probes, accepted-and-closed connections, are off in this test).
        foreach (int leader in new[] { 1, 2, 3 })
        {
            foreach (int follower in new[] { 1, 2, 3 }.Where(f => f != leader))
            {
                int leaderPid = cluster.Broker(leader).ProcessId!.Value;
                int followerPid = cluster.Broker(follower).ProcessId!.Value;
                int port = cluster.Broker(leader).Port;
                await Eventually.TrueAsync(() => TcpConnections.Accepted(leaderPid, port, followerPid) == 1,
                    $"broker {leader} has exactly one connection from broker {follower}",
                    TimeSpan.FromSeconds(20));
            }
        }
    }
}
