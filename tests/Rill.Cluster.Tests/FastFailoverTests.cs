using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Cluster.Membership;
using Rill.Cluster.Store;
using Rill.Cluster.Tests.Harness;
using static Rill.Cluster.Tests.Harness.ClusterClient;

namespace Rill.Cluster.Tests;

/// <summary>
/// Fast failure detection (FastFailureDetector): a broker whose port refuses connections is fenced at once instead
/// of after broker.session.timeout.ms; a paused broker (port still accepting) is left to its session.
/// </summary>
public sealed class FastFailoverTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private async Task<ClusterMember> JoinAsync(string prefix, int id, int sessionMs)
    {
        var store = new EtcdMetadataStore(fixture.Etcd.EndpointList);
        var self = new BrokerInfo(id, "127.0.0.1", 9000 + id, null);
        var member = new ClusterMember(store, prefix, self, TimeSpan.FromMilliseconds(sessionMs), NullLogger.Instance);
        await member.StartAsync(self);
        return member;
    }

    [Fact]
    public async Task Two_refused_probes_in_a_row_fence_a_broker_and_it_can_only_come_back_by_registering_again()
    {
        string prefix = EtcdFixture.NewPrefix();
        await using ClusterMember probing = await JoinAsync(prefix, 1, sessionMs: 30_000);
        await using ClusterMember victim = await JoinAsync(prefix, 2, sessionMs: 30_000);
        await Eventually.TrueAsync(() => probing.Brokers.Count == 2 && probing.ControllerId == 1, "both registered, broker 1 controls");
        await using ClusterMember thirdParty = await JoinAsync(prefix, 3, sessionMs: 30_000);
        await Eventually.TrueAsync(() => probing.Brokers.Count == 3, "three registered");

        var answers = new Dictionary<int, ProbeResult> { [2] = ProbeResult.Accepted, [3] = ProbeResult.Accepted };
        var detector = new FastFailureDetector(probing, TimeSpan.FromHours(1), NullLogger.Instance, (b, _) => Task.FromResult(answers[b.Id]));
        await detector.ProbeAllAsync(CancellationToken.None); // both seen accepting
        answers[2] = ProbeResult.Unknown;
        // Timeouts (a paused or partitioned broker) and accepted connections never fence.
        for (int round = 0; round < 5; round++)
        {
            await detector.ProbeAllAsync(CancellationToken.None);
        }
        Assert.Equal(0, detector.Fenced);
        Assert.NotNull(await probing.Store.GetAsync(probing.Keys.Broker(2)));

        // One refusal between two successes is not enough either.
        answers[2] = ProbeResult.Refused;
        await detector.ProbeAllAsync(CancellationToken.None);
        answers[2] = ProbeResult.Accepted;
        await detector.ProbeAllAsync(CancellationToken.None);
        answers[2] = ProbeResult.Refused;
        await detector.ProbeAllAsync(CancellationToken.None);
        Assert.Equal(0, detector.Fenced);

        VersionedValue before = (await probing.Store.GetAsync(probing.Keys.Broker(2)))!.Value;
        await detector.ProbeAllAsync(CancellationToken.None);
        Assert.Equal(1, detector.Fenced);
        // The fenced broker (alive here: a false suspicion) sees its registration deleted and registers again under a new revision.
        await Eventually.TrueAsync(async () => await probing.Store.GetAsync(probing.Keys.Broker(2)) is { } again && again.ModRevision > before.ModRevision,
            "broker 2 registered again after being fenced");
        await Eventually.TrueAsync(() => probing.Brokers.Count == 3, "three registered again");
    }

    [Fact]
    public async Task A_controller_whose_port_refuses_is_fenced_and_another_broker_takes_over_at_once()
    {
        string prefix = EtcdFixture.NewPrefix();
        await using ClusterMember controller = await JoinAsync(prefix, 1, sessionMs: 30_000);
        await using ClusterMember other = await JoinAsync(prefix, 2, sessionMs: 30_000);
        await Eventually.TrueAsync(() => other.ControllerId == 1 && other.Brokers.Count == 2, "broker 1 controls");
        long epoch = other.ControllerEpoch;

        ProbeResult answer = ProbeResult.Refused;
        var detector = new FastFailureDetector(other, TimeSpan.FromHours(1), NullLogger.Instance, (_, _) => Task.FromResult(answer));
        // An address never seen accepting (unreachable from here: NAT, another network) is never concluded dead.
        await detector.ProbeAllAsync(CancellationToken.None);
        await detector.ProbeAllAsync(CancellationToken.None);
        await detector.ProbeAllAsync(CancellationToken.None);
        Assert.Equal(0, detector.Fenced);
        answer = ProbeResult.Accepted;
        await detector.ProbeAllAsync(CancellationToken.None);
        answer = ProbeResult.Refused;
        await detector.ProbeAllAsync(CancellationToken.None);
        await detector.ProbeAllAsync(CancellationToken.None);
        Assert.Equal(1, detector.Fenced);
        // Without waiting for the 30 s session: the controller key went with the registration, a new epoch is won.
        await Eventually.TrueAsync(() => other.ControllerEpoch > epoch && other.ControllerId > 0, "a new controller epoch", TimeSpan.FromSeconds(10));
        Assert.False(controller.IsController && controller.ControllerEpoch == epoch);
    }

    [Fact]
    public async Task Killing_the_leader_with_default_session_timeouts_fails_over_within_five_seconds()
    {
        // broker.session.timeout.ms stays at its default, 9000: only fast failure detection can beat 5 s.
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3);
        await CreateAsync(cluster.Broker(1).BootstrapServers, "fast", 1, 3, "min.insync.replicas=2");
        PartitionView before = (await Eventually.ValueAsync(() => DescribeAsync(cluster.BootstrapServers, "fast"),
            v => v is [{ Isr.Length: 3, Leader: > 0 }], "a leader and a full ISR"))![0];
        var acked = await ProduceAsync(cluster.BootstrapServers, "fast", 100, "before");

        int killed = before.Leader;
        string survivors = cluster.AdvertisedBootstrap(killed);
        await cluster.Broker(killed).KillAsync();
        var clock = Stopwatch.StartNew();
        PartitionView after = (await Eventually.ValueAsync(() => DescribeAsync(survivors, "fast"),
            v => v is [{ Leader: > 0 } p] && p.Leader != killed, "a new leader", TimeSpan.FromSeconds(30)))![0];
        TimeSpan failover = clock.Elapsed;
        Assert.True(failover < TimeSpan.FromSeconds(5), $"new leader after {failover.TotalSeconds:F1} s");
        Assert.DoesNotContain(killed, after.Isr);
        Assert.Contains(cluster.Brokers.Where((_, i) => i + 1 != killed), b => b.Output.Contains($"Broker {killed} refuses connections", StringComparison.Ordinal));

        acked.AddRange(await ProduceAsync(survivors, "fast", 100, "after"));
        AssertSameRecords(acked, await ConsumeAsync(survivors, "fast", 200));

        // Its registration was fenced, so the restarted broker registers at once and rejoins the ISR.
        await cluster.Broker(killed).RestartAsync();
        await Eventually.ValueAsync(() => DescribeAsync(survivors, "fast"), v => v is [{ Isr.Length: 3 }], "the restarted replica back in the ISR",
            TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_paused_leader_still_accepts_connections_so_it_is_left_to_its_session_and_follows_when_resumed()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=3000");
        await CreateAsync(cluster.Broker(1).BootstrapServers, "paused", 1, 3, "min.insync.replicas=2");
        PartitionView before = (await Eventually.ValueAsync(() => DescribeAsync(cluster.BootstrapServers, "paused"),
            v => v is [{ Isr.Length: 3, Leader: > 0 }], "a leader and a full ISR"))![0];
        var acked = await ProduceAsync(cluster.BootstrapServers, "paused", 100, "before");

        int paused = before.Leader;
        string survivors = cluster.AdvertisedBootstrap(paused);
        cluster.Broker(paused).Pause();
        try
        {
            await Eventually.ValueAsync(() => DescribeAsync(survivors, "paused"), v => v is [{ Leader: > 0 } p] && p.Leader != paused,
                "a new leader once the paused leader's session expired", TimeSpan.FromSeconds(30));
            // The kernel accepted the probes for the frozen process: it was not fenced by the detector but by its session.
            Assert.DoesNotContain(cluster.Brokers, b => b.Output.Contains($"Broker {paused} refuses connections", StringComparison.Ordinal));
            acked.AddRange(await ProduceAsync(survivors, "paused", 100, "during"));
        }
        finally
        {
            cluster.Broker(paused).Resume();
        }
        await Eventually.ValueAsync(() => DescribeAsync(survivors, "paused"), v => v is [{ Isr.Length: 3 }], "the resumed broker back in the ISR",
            TimeSpan.FromSeconds(40));
        Assert.Contains("fenced until it registers again", cluster.Broker(paused).Output, StringComparison.Ordinal);
        AssertSameRecords(acked, await ConsumeAsync(cluster.AdvertisedBootstrap(), "paused", 200));
    }
}
