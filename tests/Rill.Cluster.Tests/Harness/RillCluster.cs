namespace Rill.Cluster.Tests.Harness;

/// <summary>
/// N `rill serve` processes (node.id 1..N, own data directories, port 0) sharing one etcd cluster under a
/// fresh prefix. Brokers can be killed (-9), stopped cleanly and restarted (RillProcess). Started with
/// <see cref="StartProxiedAsync"/>, every broker reaches etcd and is reached through <see cref="BrokerLinks"/>
/// (TCP proxies), so a test can partition a broker from the rest and heal it.
/// </summary>
public sealed class RillCluster : IAsyncDisposable
{
    private readonly List<RillProcess> _brokers = [];
    private readonly List<BrokerLinks> _links = [];

    private RillCluster(string prefix) => Prefix = prefix;

    public string Prefix { get; }

    public IReadOnlyList<RillProcess> Brokers => _brokers;

    /// <summary>The broker with node.id <paramref name="id"/> (1-based).</summary>
    public RillProcess Broker(int id) => _brokers[id - 1];

    /// <summary>The proxied links of broker <paramref name="id"/> (only with <see cref="StartProxiedAsync"/>).</summary>
    public BrokerLinks Links(int id) => _links[id - 1];

    /// <summary>The brokers' listeners (direct); with proxies, clients should use <see cref="AdvertisedBootstrap"/>.</summary>
    public string BootstrapServers => string.Join(',', _brokers.Select(b => b.BootstrapServers));

    /// <summary>The advertised addresses (the proxies when proxied), optionally without some brokers.</summary>
    public string AdvertisedBootstrap(params int[] except) => string.Join(',', Enumerable.Range(1, _brokers.Count).Where(id => !except.Contains(id))
        .Select(id => _links.Count > 0 ? _links[id - 1].Advertised : _brokers[id - 1].BootstrapServers));

    public static Task<RillCluster> StartAsync(EtcdCluster etcd, int brokers, params string[] properties) => StartAsync(etcd, brokers, proxied: false, properties);

    /// <summary>Every broker behind TCP proxies (its listener and its etcd links), for network partitions.</summary>
    public static Task<RillCluster> StartProxiedAsync(EtcdCluster etcd, int brokers, params string[] properties) => StartAsync(etcd, brokers, proxied: true, properties);

    private static async Task<RillCluster> StartAsync(EtcdCluster etcd, int brokers, bool proxied, string[] properties)
    {
        var cluster = new RillCluster("/rill-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            for (int id = 1; id <= brokers; id++)
            {
                string endpoints = etcd.Endpoints;
                List<string> all = [$"node.id={id}", $"rill.metadata.etcd.prefix={cluster.Prefix}"];
                if (proxied)
                {
                    var links = new BrokerLinks(etcd);
                    cluster._links.Add(links);
                    endpoints = links.EtcdEndpoints;
                    all.Add($"advertised.listeners=PLAINTEXT://{links.Advertised}");
                }
                all.Add($"rill.metadata.etcd.endpoints={endpoints}");
                RillProcess broker = await RillProcess.StartAsync([.. all, .. properties]);
                cluster._brokers.Add(broker);
                if (proxied)
                {
                    cluster._links[id - 1].Listener.UpstreamPort = broker.Port;
                }
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
        foreach (BrokerLinks links in _links)
        {
            await links.DisposeAsync();
        }
    }
}
