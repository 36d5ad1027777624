using System.Text.RegularExpressions;
using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>Real `rill serve` processes joined through a 3-member etcd cluster, checked with kcat (librdkafka).</summary>
public sealed partial class BrokerClusterTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private sealed record Listing(int[] Brokers, int Controller);

    /// <summary>kcat -L's broker list: " 3 brokers:" then "  broker 2 at host:port (controller)".</summary>
    private static async Task<Listing?> ListAsync(RillProcess broker)
    {
        ExternalTool.Result result = await ExternalTool.RunAsync("kcat", ["-L", "-b", broker.BootstrapServers, "-m", "5"], timeout: TimeSpan.FromSeconds(15));
        if (result.ExitCode != 0)
        {
            return null;
        }
        MatchCollection lines = BrokerLine().Matches(result.Stdout);
        int[] ids = lines.Select(m => int.Parse(m.Groups[1].Value)).Order().ToArray();
        int controller = lines.Where(m => m.Groups[2].Success).Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(-1).First();
        return new Listing(ids, controller);
    }

    [GeneratedRegex(@"^\s+broker (\d+) at \S+( \(controller\))?", RegexOptions.Multiline)]
    private static partial Regex BrokerLine();

    [Fact]
    public async Task Three_brokers_list_each_other_and_one_controller_in_Metadata()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=3000");
        foreach (RillProcess broker in cluster.Brokers)
        {
            Listing listing = (await Eventually.ValueAsync(() => ListAsync(broker),
                l => l is { Brokers.Length: 3, Controller: > 0 }, "3 brokers and a controller from " + broker.BootstrapServers))!;
            Assert.Equal([1, 2, 3], listing.Brokers);
        }
        Listing?[] all = await Task.WhenAll(cluster.Brokers.Select(ListAsync));
        Assert.Single(all.Select(l => l!.Controller).Distinct());

        // rill cluster: DescribeCluster's view and the etcd members' health.
        string rill = Path.Combine(AppContext.BaseDirectory, "rill.dll");
        string output = await ExternalTool.RunOkAsync("dotnet", [rill, "cluster", "--bootstrap-server", cluster.Broker(2).BootstrapServers,
            "--etcd-endpoints", fixture.Etcd.Endpoints], timeout: TimeSpan.FromSeconds(30));
        Assert.Contains("Brokers: 3", output);
        Assert.Contains($"Controller: {all[0]!.Controller}", output);
        Assert.Matches($@"broker {all[0]!.Controller} at 127\.0\.0\.1:\d+ rack=null \(controller\)", output);
        Assert.Equal(3, Regex.Matches(output, " healthy").Count);
    }

    [Fact]
    public async Task Killing_the_controller_elects_another_and_the_restarted_broker_rejoins()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=2000");
        Listing first = (await Eventually.ValueAsync(() => ListAsync(cluster.Broker(1)),
            l => l is { Brokers.Length: 3, Controller: > 0 }, "3 brokers and a controller"))!;
        int old = first.Controller;
        await cluster.Broker(old).KillAsync();
        RillProcess survivor = cluster.Broker(old == 1 ? 2 : 1);
        Listing after = (await Eventually.ValueAsync(() => ListAsync(survivor),
            l => l is { Brokers.Length: 2, Controller: > 0 } && l.Controller != old, "a new controller once the session expired",
            TimeSpan.FromSeconds(20)))!;
        Assert.DoesNotContain(old, after.Brokers);

        await cluster.Broker(old).RestartAsync();
        await Eventually.ValueAsync(() => ListAsync(survivor), l => l is { Brokers.Length: 3 }, "the restarted broker registered again", TimeSpan.FromSeconds(20));
    }
}
