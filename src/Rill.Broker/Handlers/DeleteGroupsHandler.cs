using Rill.Broker.Security.Authorization;
using Rill.Protocol.Messages;
using Rill.Protocol;

namespace Rill.Broker.Handlers;

/// <summary>DeleteGroups (key 42), v0-2: only groups without members (NON_EMPTY_GROUP otherwise), with their offsets.</summary>
internal sealed class DeleteGroupsHandler : ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    private readonly KafkaBroker _broker;

    public DeleteGroupsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DeleteGroups;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override async ValueTask<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request)
    {
        var response = new DeleteGroupsResponse();
        foreach (string groupId in request.GroupsNames)
        {
            var error = groupId.Length == 0 ? ErrorCode.InvalidGroupId
                : !_broker.Authorizer.Allows(context, AclOperation.Delete, AclResourceType.Group, groupId) ? ErrorCode.GroupAuthorizationFailed
                : await _broker.Groups.DeleteAsync(groupId).ConfigureAwait(false);
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }
        return response;
    }
}
