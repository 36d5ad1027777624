using Rill.Broker.Security.Authorization;
using Rill.Coordination.Groups;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// JoinGroup (key 11), v0-9, classic protocol. v4+ requires a known member id (KIP-394: the
/// first join answers MEMBER_ID_REQUIRED with one); v5+ static membership (KIP-345). The response
/// is parked until the rebalance completes.
/// </summary>
internal sealed class JoinGroupHandler : ApiHandler<JoinGroupRequest, JoinGroupResponse>
{
    private readonly KafkaBroker _broker;

    public JoinGroupHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.JoinGroup;
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override async ValueTask<JoinGroupResponse?> HandleAsync(RequestContext context, JoinGroupRequest request)
    {
        if (!_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new JoinGroupResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed, GenerationId = -1, ProtocolName = context.ApiVersion >= 7 ? null : "", MemberId = request.MemberId };
        }
        var join = new JoinRequest(request.GroupId, request.MemberId, request.GroupInstanceId, context.ClientId ?? "",
            "/" + (context.RemoteEndPoint as System.Net.IPEndPoint)?.Address, request.SessionTimeoutMs,
            context.ApiVersion >= 1 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs, request.ProtocolType,
            request.Protocols.Select(p => new JoinProtocol(p.Name, p.Metadata.ToArray())).ToList(), RequireKnownMemberId: context.ApiVersion >= 4);
        JoinResult result = await _broker.Groups.JoinAsync(join).WaitAsync(context.Aborted).ConfigureAwait(false);
        return new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolType = result.ProtocolType,
            ProtocolName = context.ApiVersion >= 7 ? result.ProtocolName : result.ProtocolName ?? "",
            Leader = result.Leader,
            MemberId = result.MemberId,
            Members = result.Members.Select(m => new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                Metadata = m.Metadata,
            }).ToList(),
        };
    }
}
