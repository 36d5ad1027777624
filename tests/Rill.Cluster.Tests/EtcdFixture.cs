using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>One 3-member etcd cluster shared by a test class; each test uses its own key prefix.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdCluster Etcd { get; private set; } = null!;

    public async Task InitializeAsync() => Etcd = await EtcdCluster.StartAsync(3);

    public async Task DisposeAsync() => await Etcd.DisposeAsync();

    public static string NewPrefix() => "/rill-test-" + Guid.NewGuid().ToString("N");
}
