using Microsoft.Extensions.Logging;
using Rill.Broker.Config;
using Rill.Cluster;
using Rill.Cluster.Membership;
using Rill.Cluster.Store;

namespace Rill.Broker.Clustering;

/// <summary>
/// Joins the etcd-backed cluster named by rill.metadata.etcd.endpoints / .prefix once the listeners are
/// bound (the registration carries the advertised host and port). Nothing happens when the endpoints are unset.
/// </summary>
internal static class ClusterJoin
{
    public static async Task<ClusterMember?> JoinAsync(BrokerConfig config, ClusterView view, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (config.MetadataEtcdEndpoints is not { } endpoints)
        {
            return null;
        }
        var store = new EtcdMetadataStore(EtcdMetadataStore.ParseEndpoints(endpoints));
        var (host, port) = view.Advertised;
        var self = new BrokerInfo(config.NodeId, host, port, config.BrokerRack, view.Endpoints);
        var member = new ClusterMember(store, config.MetadataEtcdPrefix, self, TimeSpan.FromMilliseconds(config.BrokerSessionTimeoutMs),
            loggerFactory.CreateLogger<ClusterMember>());
        try
        {
            await member.StartAsync(self, cancellationToken).ConfigureAwait(false);
            if (config.ClusterFailureProbeIntervalMs > 0)
            {
                var detector = new FastFailureDetector(member, TimeSpan.FromMilliseconds(config.ClusterFailureProbeIntervalMs),
                    loggerFactory.CreateLogger<FastFailureDetector>());
                member.AddCompanion(detector);
                detector.Start();
            }
        }
        catch
        {
            await member.DisposeAsync().ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return member;
    }

    /// <summary>Leaves the cluster (revoking the session lease, so others see this broker gone at once) and closes the store.</summary>
    public static async Task LeaveAsync(ClusterMember member)
    {
        await member.DisposeAsync().ConfigureAwait(false);
        await member.Store.DisposeAsync().ConfigureAwait(false);
    }
}
