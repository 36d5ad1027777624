using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>LeaveGroup (key 13), v0-5: one member (v0-2) or a batch by member or instance id (v3+, KIP-345).</summary>
internal sealed class LeaveGroupHandler : ApiHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    private readonly KafkaBroker _broker;

    public LeaveGroupHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.LeaveGroup;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<LeaveGroupResponse?> HandleAsync(RequestContext context, LeaveGroupRequest request)
    {
        if (!_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new LeaveGroupResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed };
        }
        var leaving = context.ApiVersion < 3
            ? [(request.MemberId, (string?)null)]
            : request.Members.Select(m => (m.MemberId, m.GroupInstanceId)).ToList();
        var results = await _broker.Groups.LeaveAsync(request.GroupId, leaving).ConfigureAwait(false);
        var response = new LeaveGroupResponse();
        if (context.ApiVersion < 3)
        {
            response.ErrorCode = (short)results[0].Error;
            return response;
        }
        foreach (var (memberId, instanceId, error) in results)
        {
            response.Members.Add(new LeaveGroupResponse.MemberResponse { MemberId = memberId, GroupInstanceId = instanceId, ErrorCode = (short)error });
        }
        return response;
    }
}
