using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>With all of etcd gone, brokers keep serving their partitions with the metadata they have.</summary>
public sealed class LosingEtcdTests
{
    private static Task<string> ProduceAsync(RillProcess broker, string topic, IEnumerable<string> lines)
        => ExternalTool.RunOkAsync("kcat", ["-P", "-b", broker.BootstrapServers, "-t", topic, "-X", "acks=all"],
            stdin: string.Join('\n', lines) + "\n", timeout: TimeSpan.FromSeconds(30));

    private static async Task<string[]> ConsumeAsync(RillProcess broker, string topic)
        => (await ExternalTool.RunOkAsync("kcat", ["-C", "-b", broker.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q"],
            timeout: TimeSpan.FromSeconds(30))).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task A_broker_keeps_accepting_and_serving_records_after_every_etcd_member_is_killed()
    {
        await using EtcdCluster etcd = await EtcdCluster.StartAsync(3);
        await using RillCluster cluster = await RillCluster.StartAsync(etcd, 2, "broker.session.timeout.ms=2000");
        RillProcess broker = cluster.Broker(1);
        await ProduceAsync(broker, "survives", Enumerable.Range(0, 10).Select(i => $"before-{i}"));

        for (int member = 0; member < etcd.Count; member++)
        {
            etcd.Kill(member);
        }
        // Past the session timeout the broker knows its lease is gone (fenced from the store) but still serves.
        await Eventually.TrueAsync(() => broker.Output.Contains("lost its session lease", StringComparison.Ordinal),
            "the broker noticed its session lease is gone", TimeSpan.FromSeconds(20));
        await ProduceAsync(broker, "survives", Enumerable.Range(0, 10).Select(i => $"after-{i}"));
        string[] read = await ConsumeAsync(broker, "survives");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"before-{i}").Concat(Enumerable.Range(0, 10).Select(i => $"after-{i}")), read);
    }
}
