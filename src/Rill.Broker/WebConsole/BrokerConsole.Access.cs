using Rill.Broker.Security.Authorization;
using Rill.Protocol;

namespace Rill.Broker.WebConsole;

/// <summary>
/// The console's authorization: every call is checked by the broker's <see cref="AclAuthorizer"/>
/// with the caller's principal and address and the operation the matching Kafka API needs
/// (docs/dev/security.md has the table): what the caller may not DESCRIBE is left out of lists, and
/// a refused action answers 403 with Kafka's error name. Refusals are logged by the authorizer
/// (kafka.authorizer.logger) with the request named <c>Console:&lt;Api&gt;</c>.
/// </summary>
public sealed partial class BrokerConsole
{
    /// <summary>May the caller do the operation? Filters (lists) pass <paramref name="api"/> null so nothing is logged, as Kafka does.</summary>
    private bool Allows(ConsoleCaller caller, AclOperation operation, AclResourceType type, string name, string? api = null)
    {
        AclAuthorizer authorizer = _broker.Authorizer;
        if (!authorizer.Enabled || authorizer.Authorize(caller.Principal, caller.Remote, operation, type, name))
        {
            return true;
        }
        if (api is not null)
        {
            authorizer.LogDenied(caller.Principal, caller.Remote, operation, type, name, "Console:" + api);
        }
        return false;
    }

    /// <summary>Throws 403 with Kafka's error for the resource type unless the caller may do the operation.</summary>
    private void Require(ConsoleCaller caller, AclOperation operation, AclResourceType type, string name, string api)
    {
        if (!Allows(caller, operation, type, name, api))
        {
            throw Denied(caller, operation, type, name);
        }
    }

    private void RequireCluster(ConsoleCaller caller, AclOperation operation, string api)
        => Require(caller, operation, AclResourceType.Cluster, AclNames.ClusterName, api);

    private bool AllowsTopic(ConsoleCaller caller, AclOperation operation, string topic) => Allows(caller, operation, AclResourceType.Topic, topic);

    private bool AllowsGroup(ConsoleCaller caller, AclOperation operation, string group) => Allows(caller, operation, AclResourceType.Group, group);

    internal static ConsoleException Denied(ConsoleCaller caller, AclOperation operation, AclResourceType type, string name)
    {
        ErrorCode error = type switch
        {
            AclResourceType.Topic => ErrorCode.TopicAuthorizationFailed,
            AclResourceType.Group => ErrorCode.GroupAuthorizationFailed,
            AclResourceType.TransactionalId => ErrorCode.TransactionalIdAuthorizationFailed,
            _ => ErrorCode.ClusterAuthorizationFailed,
        };
        return new ConsoleException(403, ErrorName(error),
            $"{caller.Principal} is not authorized to {AclNames.Of(operation)} {AclNames.Of(type)} '{name}'.");
    }
}
