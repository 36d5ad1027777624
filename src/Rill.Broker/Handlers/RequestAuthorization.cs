using Rill.Broker.Security;
using Rill.Broker.Security.Authorization;

namespace Rill.Broker.Handlers;

/// <summary>
/// The one-line checks handlers make: <c>_broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.Topic, name)</c>.
/// The principal is the connection's (User:ANONYMOUS without a session), the host its remote address.
/// With no authorizer configured every check is true without looking anything up.
/// </summary>
internal static class RequestAuthorization
{
    public static string PrincipalOf(RequestContext context) => context.Session?.Principal ?? ConnectionSession.Anonymous;

    /// <summary>Is the operation allowed on the resource? A refusal is logged unless <paramref name="logIfDenied"/> is false (a check that only filters an answer).</summary>
    public static bool Allows(this AclAuthorizer authorizer, RequestContext context, AclOperation operation, AclResourceType type, string name,
        bool logIfDenied = true)
    {
        if (!authorizer.Enabled || authorizer.Authorize(PrincipalOf(context), context.RemoteEndPoint, operation, type, name))
        {
            return true;
        }
        if (logIfDenied)
        {
            authorizer.LogDenied(PrincipalOf(context), context.RemoteEndPoint, operation, type, name, context.ApiKey.ToString());
        }
        return false;
    }

    /// <summary>An operation on the cluster resource (kafka-cluster).</summary>
    public static bool AllowsCluster(this AclAuthorizer authorizer, RequestContext context, AclOperation operation, bool logIfDenied = true)
        => authorizer.Allows(context, operation, AclResourceType.Cluster, AclNames.ClusterName, logIfDenied);

    /// <summary>Kafka's authorizeByResourceType: the operation is allowed on at least one resource of the type.</summary>
    public static bool AllowsAny(this AclAuthorizer authorizer, RequestContext context, AclOperation operation, AclResourceType type)
        => !authorizer.Enabled || authorizer.AuthorizeAny(PrincipalOf(context), context.RemoteEndPoint, operation, type);

    /// <summary>
    /// DescribeConfigs / AlterConfigs / IncrementalAlterConfigs: <paramref name="operation"/> (DESCRIBE_CONFIGS or ALTER_CONFIGS)
    /// on the topic (TOPIC_AUTHORIZATION_FAILED) or, for broker and broker-logger resources, on the cluster
    /// (CLUSTER_AUTHORIZATION_FAILED); null when allowed (or another resource type, which the handler refuses itself).
    /// </summary>
    public static Protocol.ErrorCode? RefusesConfigResource(this AclAuthorizer authorizer, RequestContext context, sbyte resourceType,
        string name, AclOperation operation) => resourceType switch
    {
        Admin.ConfigResourceType.Topic when !authorizer.Allows(context, operation, AclResourceType.Topic, name)
            => Protocol.ErrorCode.TopicAuthorizationFailed,
        Admin.ConfigResourceType.Broker or Admin.ConfigResourceType.BrokerLogger when !authorizer.AllowsCluster(context, operation)
            => Protocol.ErrorCode.ClusterAuthorizationFailed,
        _ => null,
    };

    /// <summary>The authorized-operations bit field of a resource (every supported operation when no authorizer is configured).</summary>
    public static int AuthorizedOperations(this AclAuthorizer authorizer, RequestContext context, AclResourceType type, string name)
        => authorizer.AuthorizedOperations(PrincipalOf(context), context.RemoteEndPoint, type, name);
}
