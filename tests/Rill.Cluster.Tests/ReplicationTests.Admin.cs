using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>
/// Operator APIs on a 3-broker cluster: ElectLeaders (raw wire and `rill leader-election`), automatic
/// preferred-leader balancing, partition reassignment (`rill reassign-partitions`) with records produced
/// before and during it, list/cancel, topic configs changed on one broker and seen by all (librdkafka's
/// AlterConfigs/DescribeConfigs), DeleteRecords on the leader followed by the followers.
/// </summary>
public sealed partial class ReplicationTests
{
    private static readonly string Rill = Path.Combine(AppContext.BaseDirectory, "rill.dll");

    private static Task<ExternalTool.Result> RillAsync(params string[] args)
        => ExternalTool.RunAsync("dotnet", [Rill, .. args], timeout: TimeSpan.FromSeconds(60));

    private static Task<string> ClientAsync(params string[] args)
        => ExternalTool.RunOkAsync(ExternalTool.Python, [ExternalTool.Script("cluster_client.py"), .. args], timeout: TimeSpan.FromSeconds(60));

    /// <summary>Kills the preferred leader (1) of an RF=3 partition, restarts it and waits until it is back in the ISR under another leader.</summary>
    private static async Task<PartitionView> FailOverAndBackAsync(RillCluster cluster, string topic)
    {
        await ClientAsync("create-assigned", cluster.Broker(2).BootstrapServers, topic, "1,2,3");
        await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(2), topic), v => v is [{ Leader: 1, Isr.Length: 3 }], "broker 1 leading with a full ISR");
        Assert.Equal(100, (await ProduceAsync(cluster.BootstrapServers, topic, 100, "a")).Count);
        await cluster.Broker(1).KillAsync();
        await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(2), topic), v => v is [{ Leader: 2 or 3 }], "a new leader", TimeSpan.FromSeconds(30));
        await cluster.Broker(1).RestartAsync();
        return (await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(2), topic), v => v is [{ Isr.Length: 3 }],
            "broker 1 back in the ISR", TimeSpan.FromSeconds(60)))![0];
    }

    [Fact]
    public async Task A_preferred_election_gives_leadership_back_to_the_restarted_preferred_replica()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=2000", "auto.leader.rebalance.enable=false");
        PartitionView back = await FailOverAndBackAsync(cluster, "prefer");
        Assert.NotEqual(1, back.Leader); // no automatic balancing here

        // Raw ElectLeaders v1 (PREFERRED) to broker 3, whichever broker is the controller: no top-level or partition error.
        Assert.Equal("0 0", (await ClientAsync("elect", cluster.Broker(3).BootstrapServers, "0", "prefer", "0")).Trim());
        PartitionView after = (await DescribeAsync(cluster.Broker(1), "prefer"))![0];
        Assert.Equal(1, after.Leader);

        // Again: ELECTION_NOT_NEEDED (84); `rill leader-election` says so and succeeds; an unknown partition is 3.
        Assert.Equal("0 84", (await ClientAsync("elect", cluster.Broker(2).BootstrapServers, "0", "prefer", "0")).Trim());
        ExternalTool.Result cli = await RillAsync("leader-election", "--bootstrap-server", cluster.Broker(2).BootstrapServers,
            "--election-type", "PREFERRED", "--all-topic-partitions");
        Assert.Equal(0, cli.ExitCode);
        Assert.Contains("No partition needed a leader election (PREFERRED)", cli.Stdout);
        Assert.Equal("0 3", (await ClientAsync("elect", cluster.Broker(2).BootstrapServers, "0", "prefer", "7")).Trim());
        // UNCLEAN with a live leader: ELECTION_NOT_NEEDED.
        Assert.Equal("0 84", (await ClientAsync("elect", cluster.Broker(1).BootstrapServers, "1", "prefer", "0")).Trim());

        // Records from before the failover and after the election are all there, once, in order.
        var acked = await ProduceAsync(cluster.BootstrapServers, "prefer", 100, "b");
        Assert.Equal(100, acked.Count);
        Assert.Equal(200, (await ConsumeAsync(cluster.BootstrapServers, "prefer", 200)).Select(r => r.Value).Distinct().Count());
    }

    [Fact]
    public async Task The_controller_moves_leadership_back_to_the_preferred_replica_on_its_own()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=2000",
            "leader.imbalance.check.interval.seconds=1");
        await FailOverAndBackAsync(cluster, "balance");
        await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(3), "balance"), v => v is [{ Leader: 1, Isr.Length: 3 }],
            "leadership back on the preferred replica 1", TimeSpan.FromSeconds(30));
        Assert.Contains(cluster.Brokers, b => b.Output.Contains("leader balancing moves balance-0 back to its preferred replica 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reassignment_from_1_2_to_2_3_moves_every_record_and_broker_1_drops_its_log()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=3000");
        await ClientAsync("create-assigned", cluster.Broker(1).BootstrapServers, "moving", "1,2");
        await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(1), "moving"), v => v is [{ Leader: 1, Isr.Length: 2 }], "leader 1, ISR 1,2");
        Assert.False(HasLog(cluster.Broker(3), "moving-0")); // a broker hosts logs only for its replicas
        var acked = await ProduceAsync(cluster.BootstrapServers, "moving", 300, "before");

        string plan = Path.Combine(cluster.Broker(1).DataDirectory, "..", $"reassign-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(plan, """{"version":1,"partitions":[{"topic":"moving","partition":0,"replicas":[2,3],"log_dirs":["any","any"]}]}""");
        try
        {
            Task<List<(int Partition, long Offset, string Value)>> during = ProduceAsync(cluster.BootstrapServers, "moving", 300, "during", pauseMs: 20);
            ExternalTool.Result execute = await RillAsync("reassign-partitions", "--bootstrap-server", cluster.Broker(3).BootstrapServers,
                "--reassignment-json-file", plan, "--execute");
            Assert.True(execute.ExitCode == 0, execute.Stdout + execute.Stderr);
            Assert.Contains("\"replicas\":[1,2]", execute.Stdout); // the rollback plan
            Assert.Contains("Successfully started partition reassignments for moving-0", execute.Stdout);
            acked.AddRange(await during);
            Assert.Equal(600, acked.Count);

            await Eventually.TrueAsync(async () => (await RillAsync("reassign-partitions", "--bootstrap-server", cluster.Broker(2).BootstrapServers,
                "--reassignment-json-file", plan, "--verify")).ExitCode == 0, "the reassignment verified complete", TimeSpan.FromSeconds(60));
            PartitionView moved = (await DescribeAsync(cluster.Broker(1), "moving"))![0];
            Assert.Equal([2, 3], moved.Replicas);
            Assert.True(moved.Leader is 2 or 3, $"leader {moved.Leader}");
            await Eventually.TrueAsync(() => !HasLog(cluster.Broker(1), "moving-0"), "broker 1's log of moving-0 deleted");

            AssertSameRecords(acked, await ConsumeAsync(cluster.Broker(2).BootstrapServers, "moving", 600));
            // Broker 3's copy is complete too: with 2 stopped (its leadership handed over), every record is read from 3.
            await cluster.Broker(2).StopAsync();
            await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(3), "moving"), v => v is [{ Leader: 3 }], "broker 3 leading", TimeSpan.FromSeconds(30));
            AssertSameRecords(acked, await ConsumeAsync(cluster.Broker(3).BootstrapServers, "moving", 600));
        }
        finally
        {
            File.Delete(plan);
        }
    }

    [Fact]
    public async Task A_reassignment_in_progress_is_listed_and_can_be_cancelled()
    {
        // A paused broker stays registered for its 20 s session (it still accepts connections, so the fast failure
        // detector leaves it alone; a killed one would be fenced at once): a reassignment adding it cannot complete.
        // It must not be the controller, which executes the reassignment.
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=20000");
        int controller = await Eventually.ValueAsync(
            () => Task.FromResult(Enumerable.Range(1, 3).FirstOrDefault(id => cluster.Broker(id).Output.Contains($"Broker {id} is the active controller", StringComparison.Ordinal))),
            id => id > 0, "a controller");
        int stuck = controller == 3 ? 2 : 3;
        int[] current = Enumerable.Range(1, 3).Where(id => id != stuck).ToArray();
        RillProcess a = cluster.Broker(current[0]), b = cluster.Broker(current[1]);
        await ClientAsync("create-assigned", a.BootstrapServers, "stuck", string.Join(',', current));
        await Eventually.ValueAsync(() => DescribeAsync(a, "stuck"), v => v is [{ Isr.Length: 2 }], "ISR of the two current replicas");
        cluster.Broker(stuck).Pause();
        string plan = Path.Combine(a.DataDirectory, "..", $"reassign-{Guid.NewGuid():N}.json");
        string target = $"{current[0]},{current[1]},{stuck}";
        await File.WriteAllTextAsync(plan, $$"""{"version":1,"partitions":[{"topic":"stuck","partition":0,"replicas":[{{target}}]}]}""");
        try
        {
            ExternalTool.Result execute = await RillAsync("reassign-partitions", "--bootstrap-server", b.BootstrapServers,
                "--reassignment-json-file", plan, "--execute");
            Assert.True(execute.ExitCode == 0, execute.Stdout + execute.Stderr);
            ExternalTool.Result list = await RillAsync("reassign-partitions", "--bootstrap-server", a.BootstrapServers, "--list");
            Assert.Matches($@"stuck\s+0\s+{target}\s+{stuck}\s+\n", list.Stdout + "\n");
            ExternalTool.Result verify = await RillAsync("reassign-partitions", "--bootstrap-server", a.BootstrapServers,
                "--reassignment-json-file", plan, "--verify");
            Assert.Equal(1, verify.ExitCode);
            Assert.Contains("Reassignment of partition stuck-0 is still in progress.", verify.Stdout);

            ExternalTool.Result cancel = await RillAsync("reassign-partitions", "--bootstrap-server", a.BootstrapServers,
                "--reassignment-json-file", plan, "--cancel");
            Assert.True(cancel.ExitCode == 0, cancel.Stdout + cancel.Stderr);
            Assert.Contains("Successfully cancelled partition reassignments for stuck-0", cancel.Stdout);
            PartitionView cancelled = (await DescribeAsync(b, "stuck"))![0];
            Assert.Equal(current, cancelled.Replicas);
            list = await RillAsync("reassign-partitions", "--bootstrap-server", b.BootstrapServers, "--list");
            Assert.DoesNotContain("stuck", list.Stdout);
            // Cancelling again: NO_REASSIGNMENT_IN_PROGRESS, exit 1.
            cancel = await RillAsync("reassign-partitions", "--bootstrap-server", a.BootstrapServers,
                "--reassignment-json-file", plan, "--cancel");
            Assert.Equal(1, cancel.ExitCode);
            Assert.Contains("NoReassignmentInProgress", cancel.Stderr);
        }
        finally
        {
            cluster.Broker(stuck).Resume();
            File.Delete(plan);
        }
    }

    [Fact]
    public async Task A_topic_config_changed_on_one_broker_is_seen_by_all_and_delete_records_is_followed()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=2000");
        await ClientAsync("create-assigned", cluster.Broker(1).BootstrapServers, "configured", "1,2,3");
        await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(1), "configured"), v => v is [{ Leader: 1, Isr.Length: 3 }], "leader 1, full ISR");

        Assert.Equal("altered", (await ClientAsync("alter-config", cluster.Broker(2).BootstrapServers, "configured", "retention.ms=3600000")).Trim());
        foreach (RillProcess broker in cluster.Brokers)
        {
            // librdkafka's source 1 is DYNAMIC_TOPIC_CONFIG.
            await Eventually.TrueAsync(async () => (await ClientAsync("describe-config", broker.BootstrapServers, "configured", "retention.ms")).Trim()
                == "3600000 1", $"retention.ms on broker {broker.BootstrapServers}");
        }

        var acked = await ProduceAsync(cluster.BootstrapServers, "configured", 200, "r");
        Assert.Equal(200, acked.Count);
        // DeleteRecords to a follower: NOT_LEADER_OR_FOLLOWER (6); to the leader: done, low watermark 120.
        Assert.Equal("6 -1", (await ClientAsync("delete-records", cluster.Broker(2).BootstrapServers, "configured", "0", "120")).Trim());
        Assert.Equal("0 120", (await ClientAsync("delete-records", cluster.Broker(1).BootstrapServers, "configured", "0", "120")).Trim());
        // The followers follow the leader's log start: after the leader is killed, the new leader starts at 120 as well.
        await cluster.Broker(1).KillAsync();
        string survivors = $"{cluster.Broker(2).BootstrapServers},{cluster.Broker(3).BootstrapServers}";
        await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(2), "configured"), v => v is [{ Leader: 2 or 3 }], "a new leader", TimeSpan.FromSeconds(30));
        Assert.Equal("120", (await ClientAsync("low-watermark", survivors, "configured", "0")).Trim());
        Assert.Equal(80, (await ConsumeAsync(survivors, "configured", 80)).Count);
    }

    private static bool HasLog(RillProcess broker, string partitionDirectory)
        => Directory.EnumerateDirectories(broker.DataDirectory, partitionDirectory + "*", SearchOption.AllDirectories).Any();
}
