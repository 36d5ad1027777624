using Microsoft.Extensions.Logging.Abstractions;
using Rill.Cluster.Membership;
using Rill.Cluster.Store;

namespace Rill.Cluster.Tests;

public sealed class ClusterMemberTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private async Task<ClusterMember> JoinAsync(string prefix, int id, int sessionMs = 2000)
    {
        var store = new EtcdMetadataStore(fixture.Etcd.EndpointList);
        var self = new BrokerInfo(id, "127.0.0.1", 9000 + id, null);
        var member = new ClusterMember(store, prefix, self, TimeSpan.FromMilliseconds(sessionMs), NullLogger.Instance);
        await member.StartAsync(self);
        return member;
    }

    [Fact]
    public async Task Brokers_share_one_cluster_id_see_each_other_and_elect_one_controller()
    {
        string prefix = EtcdFixture.NewPrefix();
        ClusterMember[] members = await Task.WhenAll(Enumerable.Range(1, 3).Select(id => JoinAsync(prefix, id)));
        try
        {
            Assert.Single(members.Select(m => m.ClusterId).Distinct());
            Assert.Equal(22, members[0].ClusterId.Length);
            await Eventually.TrueAsync(() => members.All(m => m.Brokers.Count == 3 && m.ControllerId > 0)
                && members.Select(m => m.ControllerId).Distinct().Count() == 1, "all see 3 brokers and one controller");
            Assert.Single(members, m => m.IsController);
        }
        finally
        {
            foreach (ClusterMember member in members)
            {
                await member.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_second_broker_with_the_same_node_id_is_refused()
    {
        string prefix = EtcdFixture.NewPrefix();
        await using ClusterMember first = await JoinAsync(prefix, 1, sessionMs: 1000);
        await Assert.ThrowsAsync<InvalidOperationException>(() => JoinAsync(prefix, 1, sessionMs: 1000));
    }

    [Fact]
    public async Task When_the_controller_leaves_another_broker_takes_over_with_a_higher_epoch_and_the_old_one_is_fenced()
    {
        string prefix = EtcdFixture.NewPrefix();
        var members = (await Task.WhenAll(Enumerable.Range(1, 3).Select(id => JoinAsync(prefix, id)))).ToList();
        try
        {
            await Eventually.TrueAsync(() => members.Count(m => m.IsController) == 1, "one controller");
            ClusterMember old = members.Single(m => m.IsController);
            long oldEpoch = old.ControllerEpoch;
            Assert.True(await old.ControllerCommitAsync([], [new Write(prefix + "/fenced-probe", [1])]));

            members.Remove(old);
            await old.DisposeAsync(); // revokes its session lease: registration and controller key go
            await Eventually.TrueAsync(() => members.Count(m => m.IsController) == 1
                && members.All(m => m.Brokers.Count == 2 && m.ControllerEpoch > oldEpoch), "a new controller with a higher epoch");
            ClusterMember next = members.Single(m => m.IsController);
            Assert.NotEqual(old.Self.Id, next.ControllerId);
            Assert.True(await next.ControllerCommitAsync([], [new Write(prefix + "/new", [1])]));
            // The deposed controller still believes in its epoch (its watch stopped): its writes are refused.
            Assert.False(await old.ControllerCommitAsync([], [new Write(prefix + "/stale", [1])]));
        }
        finally
        {
            foreach (ClusterMember member in members)
            {
                await member.DisposeAsync();
            }
        }
    }
}
