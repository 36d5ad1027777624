using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// FindCoordinator (key 10), v0-6. On a single node this node coordinates every group (key type 0) and
/// every transactional id (key type 1); in a cluster the leader of the key's __consumer_offsets /
/// __transaction_state partition does (<see cref="Clustering.CoordinatorPlacement"/>). Other key types
/// (2, share groups) answer INVALID_REQUEST.
/// v4+ answers several keys at once (KIP-699).
/// </summary>
internal sealed class FindCoordinatorHandler : ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private readonly KafkaBroker _broker;

    public FindCoordinatorHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.FindCoordinator;
    public override short MinVersion => 0;
    public override short MaxVersion => 6;

    protected override ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request)
    {
        var (host, port) = _broker.Cluster.AdvertisedFor(context.Session?.Listener.Name);
        int node = _broker.Cluster.NodeId;
        ErrorCode error = request.KeyType is 0 or 1 ? ErrorCode.None : ErrorCode.InvalidRequest;
        string? message = error == ErrorCode.None ? null : $"Unknown coordinator key type {request.KeyType}.";
        var response = new FindCoordinatorResponse();
        if (context.ApiVersion < 4)
        {
            if (Refused(context, request.KeyType, request.Key) is { } refused)
            {
                (error, message) = (refused, null);
            }
            else if (error == ErrorCode.None && _broker.Coordinators is { } placement)
            {
                (error, message, node, host, port) = placement.Find(request.KeyType, request.Key, context.Session?.Listener.Name);
            }
            response.ErrorCode = (short)error;
            response.ErrorMessage = message;
            response.NodeId = error == ErrorCode.None ? node : -1;
            response.Host = error == ErrorCode.None ? host : "";
            response.Port = error == ErrorCode.None ? port : -1;
            return ValueTask.FromResult<FindCoordinatorResponse?>(response);
        }
        ErrorCode keyTypeError = error;
        string? keyTypeMessage = message;
        foreach (string key in request.CoordinatorKeys)
        {
            (error, message) = Refused(context, request.KeyType, key) is { } refused ? (refused, null) : (keyTypeError, keyTypeMessage);
            if (error == ErrorCode.None && _broker.Coordinators is { } placement)
            {
                // Cluster mode: the leader of the key's internal partition.
                (error, message, node, host, port) = placement.Find(request.KeyType, key, context.Session?.Listener.Name);
            }
            response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
            {
                Key = key,
                NodeId = error == ErrorCode.None ? node : -1,
                Host = error == ErrorCode.None ? host : "",
                Port = error == ErrorCode.None ? port : -1,
                ErrorCode = (short)error,
                ErrorMessage = message,
            });
        }
        return ValueTask.FromResult<FindCoordinatorResponse?>(response);
    }

    /// <summary>DESCRIBE on the group (key type 0) or transactional id (1); null when allowed.</summary>
    private ErrorCode? Refused(RequestContext context, sbyte keyType, string key) => keyType switch
    {
        0 when !_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Group, key) => ErrorCode.GroupAuthorizationFailed,
        1 when !_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.TransactionalId, key) => ErrorCode.TransactionalIdAuthorizationFailed,
        _ => null,
    };
}
