using System.Text.RegularExpressions;
using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>
/// Group and transaction coordinators on a 3-broker cluster: __consumer_offsets and __transaction_state are
/// replicated topics, each key's coordinator is the leader of its partition, and both move (with the state
/// committed to the ISR) when that broker is killed -9. Independent clients: librdkafka
/// (confluent-kafka-python), kafka-python and a raw FindCoordinator sent to each broker.
/// </summary>
public sealed partial class CoordinatorFailoverTests(EtcdFixture fixture, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<EtcdFixture>
{
    private static readonly string[] Settings =
    [
        "broker.session.timeout.ms=2000", "replica.lag.time.max.ms=3000",
        "offsets.topic.num.partitions=3", "transaction.state.log.num.partitions=3",
    ];

    private static Task<string> RunAsync(string script, params string[] args)
        => ExternalTool.RunOkAsync(ExternalTool.Python, [ExternalTool.Script(script), .. args], timeout: TimeSpan.FromSeconds(170));

    /// <summary>A raw FindCoordinator v1 to exactly this broker: (error, node id).</summary>
    private static async Task<(int Error, int Node)> FindAsync(RillProcess broker, int keyType, string key)
    {
        ExternalTool.Result result = await ExternalTool.RunAsync(ExternalTool.Python,
            [ExternalTool.Script("coordinator_client.py"), "find", broker.BootstrapServers, $"{keyType}", key], timeout: TimeSpan.FromSeconds(20));
        string[] f = result.Stdout.Trim().Split(' ');
        return result.ExitCode == 0 && f.Length == 3 ? (int.Parse(f[0]), int.Parse(f[1])) : (-1, -1);
    }

    /// <summary>The coordinator every one of <paramref name="brokers"/> names for the key (once they agree and it is not <paramref name="not"/>).</summary>
    private static Task<int> AgreedCoordinatorAsync(IEnumerable<RillProcess> brokers, int keyType, string key, int not = -1)
        => Eventually.ValueAsync(async () =>
        {
            var nodes = new List<int>();
            foreach (RillProcess broker in brokers)
            {
                var (error, node) = await FindAsync(broker, keyType, key);
                if (error != 0)
                {
                    return -1;
                }
                nodes.Add(node);
            }
            return nodes.Distinct().Count() == 1 ? nodes[0] : -1;
        }, node => node > 0 && node != not, $"every broker naming one coordinator for {key}", TimeSpan.FromSeconds(60));

    private static Task CreateAsync(RillProcess broker, string topic, int partitions)
        => RunAsync("cluster_client.py", "create", broker.BootstrapServers, topic, $"{partitions}", "3", "min.insync.replicas=2");

    private static string Survivors(RillCluster cluster, int killed)
        => string.Join(',', cluster.Brokers.Where((_, i) => i + 1 != killed).Select(b => b.BootstrapServers));

    [Fact]
    public async Task Committed_offsets_survive_a_kill_of_the_group_coordinator_and_the_group_resumes_on_the_new_leader()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, Settings);
        await CreateAsync(cluster.Broker(1), "grp", 1);
        string acked = await RunAsync("cluster_client.py", "produce", cluster.BootstrapServers, "grp", "300", "v");
        Assert.Equal(300, Regex.Matches(acked, "^acked ", RegexOptions.Multiline).Count);

        // FindCoordinator creates __consumer_offsets (3 partitions, RF 3 as offsets.topic.replication.factor) and
        // every broker names the same coordinator: the leader of the group's partition.
        int coordinator = await AgreedCoordinatorAsync(cluster.Brokers, 0, "g1");
        string offsetsTopic = await RunAsync("cluster_client.py", "describe", cluster.Broker(2).BootstrapServers, "__consumer_offsets");
        string[] partitions = offsetsTopic.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, partitions.Length);
        Assert.All(partitions, p => Assert.Equal("1,2,3", p.Split(' ')[2].Split(',').Order().Aggregate((a, b) => a + "," + b)));
        Assert.Contains(partitions, p => p.Split(' ')[1] == $"{coordinator}");

        // librdkafka reads 120 records in group g1, committing each one (acknowledged only once the ISR has it).
        string first = await RunAsync("coordinator_client.py", "group-consume", cluster.BootstrapServers, "grp", "g1", "120");
        MatchCollection commits = Regex.Matches(first, @"^committed 0 (\d+)$", RegexOptions.Multiline);
        Assert.Equal(120, commits.Count);
        Assert.Equal("120", commits[^1].Groups[1].Value);

        // Kill -9 the coordinator's broker: the surviving brokers agree on a new coordinator (the new leader of the partition).
        await cluster.Broker(coordinator).KillAsync();
        var survivors = cluster.Brokers.Where((_, i) => i + 1 != coordinator).ToList();
        int successor = await AgreedCoordinatorAsync(survivors, 0, "g1", not: coordinator);
        Assert.NotEqual(coordinator, successor);

        // kafka-python in the same group sees the committed offset and resumes there: nothing committed is read again.
        string second = await RunAsync("coordinator_client.py", "kp-group-consume", Survivors(cluster, coordinator), "grp", "g1", "180");
        log.WriteLine($"coordinator {coordinator} killed, successor {successor}");
        Assert.Matches(@"committed-before 0 120\b", second);
        var offsets = Regex.Matches(second, @"^0 (\d+) v-\d+$", RegexOptions.Multiline).Select(m => long.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(Enumerable.Range(120, 180).Select(i => (long)i), offsets);
        Assert.Contains($"__consumer_offsets-", cluster.Broker(successor).Output);
        Assert.Contains("coordinator loaded", cluster.Broker(successor).Output);
    }

    [Fact]
    public async Task Transactions_commit_and_abort_on_the_cluster_and_one_open_when_its_coordinator_dies_is_never_half_visible()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, Settings);
        await CreateAsync(cluster.Broker(1), "txn", 3);
        using var signals = new TempDirectory();

        Task<string> producing = RunAsync("coordinator_client.py", "txn", cluster.BootstrapServers, "txn", "tx-1", signals.Path);
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(signals.Path, "open")) || producing.IsCompleted,
            "the fourth transaction open with its records written", TimeSpan.FromSeconds(120));
        Assert.False(producing.IsCompleted, producing.IsCompleted ? await producing : "");

        // The transaction coordinator of tx-1 is the leader of its __transaction_state partition; kill it while t4 is open.
        int coordinator = await AgreedCoordinatorAsync(cluster.Brokers, 1, "tx-1");
        await cluster.Broker(coordinator).KillAsync();
        int successor = await AgreedCoordinatorAsync(cluster.Brokers.Where((_, i) => i + 1 != coordinator), 1, "tx-1", not: coordinator);
        await File.WriteAllTextAsync(Path.Combine(signals.Path, "go"), "");
        string output = await producing;
        log.WriteLine($"coordinator {coordinator} killed, successor {successor}:\n{output}");

        var outcome = Regex.Matches(output, @"^(committed|aborted) (t\d)$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[2].Value, m => m.Groups[1].Value);
        Assert.Equal("committed", outcome["t1"]);
        Assert.Equal("aborted", outcome["t2"]);
        Assert.Equal("committed", outcome["t3"]);
        Assert.True(outcome.ContainsKey("t4"), output); // completed (or aborted) through the new coordinator
        Assert.Equal("committed", outcome["t5"]);

        // read_committed sees exactly the committed transactions' records, each once, in offset order per partition.
        string read = await RunAsync("coordinator_client.py", "read-committed", Survivors(cluster, coordinator), "txn", "8");
        var records = Regex.Matches(read, @"^(\d) (\d+) (t\d)-(\d+)$", RegexOptions.Multiline)
            .Select(m => (Partition: int.Parse(m.Groups[1].Value), Offset: long.Parse(m.Groups[2].Value), Txn: m.Groups[3].Value, Value: m.Groups[3].Value + "-" + m.Groups[4].Value))
            .ToList();
        var expected = outcome.Where(o => o.Value == "committed").SelectMany(o => Enumerable.Range(0, 20).Select(i => $"{o.Key}-{i}")).Order().ToList();
        Assert.Equal(expected, records.Select(r => r.Value).Order().ToList());
        foreach (var partition in records.GroupBy(r => r.Partition))
        {
            Assert.Equal(partition.Select(r => r.Offset).Order(), partition.Select(r => r.Offset));
        }
        Assert.Contains("__transaction_state-", cluster.Broker(successor).Output);
    }
}
