using System.Text.RegularExpressions;
using Rill.Client;
using Rill.Cluster.Tests.Harness;
using static Rill.Cluster.Tests.Harness.ClusterClient;

namespace Rill.Cluster.Tests;

/// <summary>
/// Clients other than librdkafka against a 3-broker cluster with default session timeouts: kafkajs and Rill.Client
/// produce with acks=all while the partition leader is killed -9; every record they saw acknowledged is read back
/// (librdkafka) once, at its offset, in order. kafka-python is driven the same way by bench/cluster/jepsen.py
/// (JepsenCheckTests).
/// </summary>
public sealed partial class ClusterInteropTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static async Task<(RillCluster Cluster, int Leader)> StartAsync(EtcdCluster etcd, string topic)
    {
        RillCluster cluster = await RillCluster.StartAsync(etcd, 3);
        await CreateAsync(cluster.BootstrapServers, topic, 1, 3, "min.insync.replicas=2");
        PartitionView view = (await Eventually.ValueAsync(() => DescribeAsync(cluster.BootstrapServers, topic),
            v => v is [{ Isr.Length: 3, Leader: > 0 }], "a leader and a full ISR"))![0];
        return (cluster, view.Leader);
    }

    private static async Task<long> LatestOffsetAsync(string bootstrap, string topic)
    {
        ExternalTool.Result result = await ExternalTool.RunAsync("kcat", ["-Q", "-b", bootstrap, "-t", $"{topic}:0:-1"], timeout: TimeSpan.FromSeconds(15));
        Match m = Regex.Match(result.Stdout, @"offset (\d+)");
        return result.ExitCode == 0 && m.Success ? long.Parse(m.Groups[1].Value) : -1;
    }

    [Fact]
    public async Task Kafkajs_produces_acks_all_across_a_leader_kill_and_every_acknowledged_record_is_read_once_in_order()
    {
        var (cluster, leader) = await StartAsync(fixture.Etcd, "kafkajs-failover");
        await using RillCluster _ = cluster;
        string modules = Path.Combine(RepoPaths.Root, "tests", "Rill.Interop.Tests", "scripts", "node", "node_modules");
        Task<string> producing = ExternalTool.RunOkAsync("node", [ExternalTool.Script("kafkajs_produce.js"), modules, cluster.BootstrapServers,
            "kafkajs-failover", "300", "js", "20"], timeout: TimeSpan.FromMinutes(3));
        await Eventually.TrueAsync(async () => producing.IsCompleted || await LatestOffsetAsync(cluster.BootstrapServers, "kafkajs-failover") >= 100,
            "100 records in");
        await cluster.Broker(leader).KillAsync();
        string output = await producing;

        List<AckedRecord> acked = AckedLines().Matches(output).Select(m => new AckedRecord(0, long.Parse(m.Groups[1].Value), m.Groups[2].Value)).ToList();
        Assert.True(acked.Count == 300, output); // kafkajs retried through the failover: nothing failed
        string survivors = cluster.AdvertisedBootstrap(leader);
        AssertSameRecords(acked, await ConsumeAsync(survivors, "kafkajs-failover", acked.Count));
    }

    [Fact]
    public async Task Rill_client_produces_acks_all_across_a_leader_kill_and_every_acknowledged_record_is_read_once_in_order()
    {
        var (cluster, leader) = await StartAsync(fixture.Etcd, "rillclient-failover");
        await using RillCluster _ = cluster;
        var acked = new List<AckedRecord>();
        var config = new ProducerConfig { BootstrapServers = cluster.BootstrapServers, Acks = Acks.All, EnableIdempotence = true, DeliveryTimeoutMs = 60_000 };
        await using (var producer = new Producer<string, string>(config))
        {
            for (int i = 0; i < 300; i++)
            {
                if (i == 100)
                {
                    await cluster.Broker(leader).KillAsync();
                }
                DeliveryResult result = await producer.ProduceAsync("rillclient-failover", new Message<string, string> { Value = $"rc-{i}" });
                Assert.Null(result.Error);
                acked.Add(new AckedRecord(result.Partition, result.Offset, $"rc-{i}"));
            }
        }
        AssertSameRecords(acked, await ConsumeAsync(cluster.AdvertisedBootstrap(leader), "rillclient-failover", 300));
    }

    [GeneratedRegex(@"^acked 0 (\d+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex AckedLines();
}
