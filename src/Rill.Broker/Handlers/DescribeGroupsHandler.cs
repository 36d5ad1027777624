using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>DescribeGroups (key 15), v0-6. An unknown group is described as Dead with no members, as Kafka does.</summary>
internal sealed class DescribeGroupsHandler : ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    private const int AllGroupOperations = (1 << 3) | (1 << 6) | (1 << 8); // READ, DELETE, DESCRIBE
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
            var d = await _broker.Groups.DescribeAsync(groupId).ConfigureAwait(false);
            response.Groups.Add(new DescribeGroupsResponse.DescribedGroup
            {
                ErrorCode = (short)(groupId.Length == 0 ? ErrorCode.InvalidGroupId : d.Error),
                ErrorMessage = d.ErrorMessage,
                GroupId = groupId,
                GroupState = d.State.ToString(),
                ProtocolType = d.ProtocolType,
                ProtocolData = d.Protocol,
                AuthorizedOperations = request.IncludeAuthorizedOperations ? AllGroupOperations : int.MinValue,
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
