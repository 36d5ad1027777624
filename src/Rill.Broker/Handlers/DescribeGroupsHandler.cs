using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>DescribeGroups (key 15), v0-6. An unknown group is described as Dead with no members, as Kafka does.</summary>
internal sealed class DescribeGroupsHandler : ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    private readonly KafkaBroker _broker;

    public DescribeGroupsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DescribeGroups;
    public override short MinVersion => 0;
    public override short MaxVersion => 6;

    protected override async ValueTask<DescribeGroupsResponse?> HandleAsync(RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (string groupId in request.Groups)
        {
            if (!_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Group, groupId))
            {
                response.Groups.Add(new DescribeGroupsResponse.DescribedGroup
                {
                    ErrorCode = (short)ErrorCode.GroupAuthorizationFailed, GroupId = groupId, GroupState = "", ProtocolType = "", ProtocolData = "",
                    AuthorizedOperations = int.MinValue,
                });
                continue;
            }
            var d = await _broker.Groups.DescribeAsync(groupId).ConfigureAwait(false);
            response.Groups.Add(new DescribeGroupsResponse.DescribedGroup
            {
                ErrorCode = (short)(groupId.Length == 0 ? ErrorCode.InvalidGroupId : d.Error),
                ErrorMessage = d.ErrorMessage,
                GroupId = groupId,
                GroupState = d.State.ToString(),
                ProtocolType = d.ProtocolType,
                ProtocolData = d.Protocol,
                AuthorizedOperations = request.IncludeAuthorizedOperations
                    ? _broker.Authorizer.AuthorizedOperations(context, AclResourceType.Group, groupId)
                    : int.MinValue,
                Members = d.Members.Select(m => new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                }).ToList(),
            });
        }
        return response;
    }
}
