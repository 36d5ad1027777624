namespace Rill.Cluster.Tests.Harness;

/// <summary>
/// N `rill serve` processes (node.id 1..N, own data directories, port 0) sharing one etcd cluster under a
/// fresh prefix. Brokers can be killed (-9), stopped cleanly and restarted (RillProcess).
/// </summary>
public sealed class RillCluster : IAsyncDisposable
{
    private readonly List<RillProcess> _brokers = [];

    private RillCluster(string prefix) => Prefix = prefix;

    public string Prefix { get; }

    public IReadOnlyList<RillProcess> Brokers => _brokers;

    /// <summary>The broker with node.id <paramref name="id"/> (1-based).</summary>
    public RillProcess Broker(int id) => _brokers[id - 1];

    public string BootstrapServers => string.Join(',', _brokers.Select(b => b.BootstrapServers));

    public static async Task<RillCluster> StartAsync(EtcdCluster etcd, int brokers, params string[] properties)
    {
        var cluster = new RillCluster("/rill-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            for (int id = 1; id <= brokers; id++)
            {
                string[] all = [$"node.id={id}", $"rill.metadata.etcd.endpoints={etcd.Endpoints}", $"rill.metadata.etcd.prefix={cluster.Prefix}", .. properties];
                cluster._brokers.Add(await RillProcess.StartAsync(all));
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (RillProcess broker in _brokers)
        {
            await broker.DisposeAsync();
        }
    }
}
