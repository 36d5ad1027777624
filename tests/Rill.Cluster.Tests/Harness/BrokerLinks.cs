namespace Rill.Cluster.Tests.Harness;

/// <summary>
/// One broker's network links through <see cref="TcpProxy"/>s: a proxy in front of its Kafka listener (the address
/// it advertises, so clients and the other brokers' fetchers and failure probes all come through it) and one proxy
/// per etcd member (its rill.metadata.etcd.endpoints). Isolate cuts all of them: the broker is partitioned from the
/// clients, the other brokers and etcd, while its own process runs on. Not cut: connections this broker opens to
/// other brokers' listeners (a proxy cannot tell who connects), so tests partition leaders of partitions the
/// isolated broker does not follow.
/// </summary>
public sealed class BrokerLinks : IAsyncDisposable
{
    public BrokerLinks(EtcdCluster etcd)
    {
        Listener = new TcpProxy();
        Etcd = etcd.EndpointList.Select(url => new TcpProxy(new Uri(url).Port)).ToArray();
    }

    public TcpProxy Listener { get; }
    public IReadOnlyList<TcpProxy> Etcd { get; }

    /// <summary>The broker's rill.metadata.etcd.endpoints: through its own proxies.</summary>
    public string EtcdEndpoints => string.Join(',', Etcd.Select(p => $"http://127.0.0.1:{p.Port}"));

    public string Advertised => $"127.0.0.1:{Listener.Port}";

    public void Isolate()
    {
        Listener.Cut();
        foreach (TcpProxy proxy in Etcd)
        {
            proxy.Cut();
        }
    }

    public void Heal()
    {
        Listener.Heal();
        foreach (TcpProxy proxy in Etcd)
        {
            proxy.Heal();
        }
    }

    /// <summary>Cuts (or heals) only this broker's links to etcd: it still serves clients and peers.</summary>
    public void CutEtcd(bool cut)
    {
        foreach (TcpProxy proxy in Etcd)
        {
            if (cut)
            {
                proxy.Cut();
            }
            else
            {
                proxy.Heal();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Listener.DisposeAsync();
        foreach (TcpProxy proxy in Etcd)
        {
            await proxy.DisposeAsync();
        }
    }
}
