using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// DescribeCluster (key 60, KIP-700), v0-1. The cluster id, this node as the only broker and the
/// controller, and (when asked) the cluster operations the client may perform: all of them, as
/// there is no authorizer yet. v1 endpoint type (KIP-919): 1 (brokers) is served; 2 (controllers)
/// is MISMATCHED_ENDPOINT_TYPE, as on a Kafka broker listener; anything else UNSUPPORTED_ENDPOINT_TYPE.
/// </summary>
internal sealed class DescribeClusterHandler : ApiHandler<DescribeClusterRequest, DescribeClusterResponse>
{
    private const sbyte BrokerEndpoints = 1, ControllerEndpoints = 2;

    /// <summary>CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, CREATE_TOKENS, DESCRIBE_TOKENS.</summary>

    private readonly KafkaBroker _broker;

    public DescribeClusterHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DescribeCluster;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override ValueTask<DescribeClusterResponse?> HandleAsync(RequestContext context, DescribeClusterRequest request)
    {
        ClusterView cluster = _broker.Cluster;
        var response = new DescribeClusterResponse
        {
            EndpointType = request.EndpointType,
            ClusterId = cluster.ClusterId,
            ControllerId = cluster.ControllerId,
            ClusterAuthorizedOperations = !request.IncludeClusterAuthorizedOperations ? int.MinValue
                : _broker.Authorizer.AllowsCluster(context, AclOperation.Describe, logIfDenied: false)
                    ? _broker.Authorizer.AuthorizedOperations(context, AclResourceType.Cluster, AclNames.ClusterName)
                    : 0,
        };
        if (request.EndpointType != BrokerEndpoints)
        {
            bool controller = request.EndpointType == ControllerEndpoints;
            response.ErrorCode = (short)(controller ? ErrorCode.MismatchedEndpointType : ErrorCode.UnsupportedEndpointType);
            response.ErrorMessage = controller
                ? "The request was sent to a broker endpoint, but controller endpoints were asked for."
                : $"Unsupported endpoint type {request.EndpointType}.";
            return ValueTask.FromResult<DescribeClusterResponse?>(response);
        }
        foreach (var (id, host, port, rack) in cluster.BrokersFor(context.Session?.Listener.Name))
        {
            response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker { BrokerId = id, Host = host, Port = port, Rack = rack });
        }
        return ValueTask.FromResult<DescribeClusterResponse?>(response);
    }
}
