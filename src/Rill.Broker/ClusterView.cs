using System.Net;
using Rill.Broker.Config;

namespace Rill.Broker;

/// <summary>
/// What Metadata says about the cluster: this node, where clients reach it, and the cluster id.
/// A single node, unless rill.metadata.etcd.endpoints is set: then <see cref="Member"/> (Rill.Cluster)
/// supplies the cluster id, every registered broker and the active controller (docs/dev/cluster.md).
/// </summary>
internal sealed class ClusterView
{
    private readonly BrokerConfig _config;
    private volatile (string Host, int Port)[] _advertised;
    private readonly string[] _names;

    public ClusterView(BrokerConfig config)
    {
        _config = config;
        _names = (config.AdvertisedListeners.Count > 0 ? config.AdvertisedListeners : config.Listeners).Select(l => l.Name).ToArray();
        _advertised = config.AdvertisedListeners.Count > 0
            ? config.AdvertisedListeners.Select(l => (l.Host, l.Port)).ToArray()
            : config.Listeners.Select(l => (l.Host, l.Port)).ToArray();
    }

    public int NodeId => _config.NodeId;

    public string ClusterId => Member?.ClusterId ?? _localClusterId;

    private string _localClusterId = "";

    /// <summary>This broker's membership in an etcd-backed cluster; null for the single-node broker.</summary>
    public Rill.Cluster.Membership.ClusterMember? Member { get; set; }

    /// <summary>The active controller: this node when single, else the one elected through the metadata store (-1: none yet).</summary>
    public int ControllerId => Member?.ControllerId ?? NodeId;

    /// <summary>Every live broker: this node alone, or each registered member of the cluster.</summary>
    /// <remarks>Each broker's address on the listener the request came in on (as Kafka: a client on the external
    /// listener is never sent to an internal one); a cluster member without that listener is left out.</remarks>
    public IReadOnlyList<(int Id, string Host, int Port, string? Rack)> BrokersFor(string? listenerName)
    {
        if (Member is { } member)
        {
            return member.Brokers.Select(b => (b, Address: b.EndpointFor(listenerName))).Where(e => e.Address is not null)
                .Select(e => (e.b.Id, e.Address!.Value.Host, e.Address!.Value.Port, e.b.Rack)).ToArray();
        }
        var (host, port) = AdvertisedFor(listenerName);
        return [(NodeId, host, port, null)];
    }

    /// <summary>Every advertised listener by name (registered in the cluster as the broker's endpoints).</summary>
    public IReadOnlyList<Rill.Cluster.BrokerEndpoint> Endpoints
    {
        get
        {
            (string Host, int Port)[] advertised = _advertised;
            return _names.Zip(advertised, (name, a) => new Rill.Cluster.BrokerEndpoint(name, a.Host, a.Port)).ToArray();
        }
    }

    /// <summary>The first advertised listener: what Metadata hands to clients.</summary>
    public (string Host, int Port) Advertised => _advertised[0];

    /// <summary>The advertised address of the named listener (the one a client connected on), else the first.</summary>
    public (string Host, int Port) AdvertisedFor(string? listenerName)
    {
        int i = listenerName is null ? -1 : Array.IndexOf(_names, listenerName);
        (string Host, int Port)[] advertised = _advertised;
        return i >= 0 && i < advertised.Length ? advertised[i] : advertised[0];
    }

    public void SetBound(IReadOnlyList<IPEndPoint> bound)
    {
        if (_config.AdvertisedListeners.Count > 0)
        {
            return;
        }
        var listeners = new (string, int)[bound.Count];
        for (int i = 0; i < bound.Count; i++)
        {
            IPEndPoint endpoint = bound[i];
            string host = endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any)
                ? Dns.GetHostName()
                : endpoint.Address.ToString();
            listeners[i] = (host, endpoint.Port);
        }
        _advertised = listeners;
    }

    /// <summary>Reads meta.properties in the first log dir, creating it (with a new cluster id) on first start.</summary>
    public void LoadOrCreateMeta(string logDir)
    {
        string path = Path.Combine(logDir, "meta.properties");
        if (File.Exists(path))
        {
            foreach (string line in File.ReadAllLines(path))
            {
                if (line.StartsWith("cluster.id=", StringComparison.Ordinal))
                {
                    _localClusterId = line["cluster.id=".Length..].Trim();
                }
            }
        }
        if (_localClusterId.Length == 0)
        {
            _localClusterId = NewClusterId(); // Kafka keeps the cluster id in meta.properties, not in a property
            string temp = path + ".tmp";
            File.WriteAllText(temp, $"#Written by Rill\nversion=1\ncluster.id={_localClusterId}\nnode.id={_config.NodeId}\n");
            File.Move(temp, path, overwrite: true);
        }
    }

    /// <summary>Kafka's cluster ids are a UUID in URL-safe base64 without padding (22 characters).</summary>
    private static string NewClusterId()
        => Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
