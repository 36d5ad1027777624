namespace Rill.Cluster;

/// <summary>
/// The key layout under rill.metadata.etcd.prefix (one etcd can serve several clusters):
/// cluster_id, brokers/{id} (lease-held), controller (lease-held), controller_epoch, topics/{name}.
/// </summary>
public sealed class ClusterKeys
{
    public ClusterKeys(string prefix) => Prefix = prefix.TrimEnd('/');

    public string Prefix { get; }
    public string ClusterId => Prefix + "/cluster_id";
    public string BrokersPrefix => Prefix + "/brokers/";
    public string Broker(int id) => BrokersPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public string Controller => Prefix + "/controller";
    public string ControllerEpoch => Prefix + "/controller_epoch";
    public string All => Prefix + "/";
    public string TopicsPrefix => Prefix + "/topics/";
    public string Topic(string name) => TopicsPrefix + name;

    /// <summary>Requests a broker hands to the active controller (ElectLeaders, AlterPartitionReassignments), and the answers.</summary>
    public string ControllerRequestsPrefix => Prefix + "/controller_requests/";
    public string ControllerResponse(string id) => Prefix + "/controller_responses/" + id;
}
