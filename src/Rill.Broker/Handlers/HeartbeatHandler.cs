using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>Heartbeat (key 12), v0-4: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.</summary>
internal sealed class HeartbeatHandler : ApiHandler<HeartbeatRequest, HeartbeatResponse>
{
    private readonly KafkaBroker _broker;

    public HeartbeatHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.Heartbeat;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override async ValueTask<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request)
    {
        if (!_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new HeartbeatResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed };
        }
        ErrorCode error = await _broker.Groups.HeartbeatAsync(request.GroupId, request.GenerationId, request.MemberId, request.GroupInstanceId)
            .ConfigureAwait(false);
        return new HeartbeatResponse { ErrorCode = (short)error };
    }
}
