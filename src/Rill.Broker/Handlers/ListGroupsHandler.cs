using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>ListGroups (key 16), v0-5, with the state filter (v4+) and type filter (v5+: "classic" or "consumer").</summary>
internal sealed class ListGroupsHandler : ApiHandler<ListGroupsRequest, ListGroupsResponse>
{
    private readonly KafkaBroker _broker;

    public ListGroupsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.ListGroups;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request)
    {
        var response = new ListGroupsResponse();
        if (_broker.Groups.IsLoading)
        {
            response.ErrorCode = (short)ErrorCode.CoordinatorLoadInProgress;
            return response;
        }
        bool all = _broker.Authorizer.AllowsCluster(context, AclOperation.Describe, logIfDenied: false);
        foreach (var (groupId, protocolType, stateName, groupType) in await _broker.Groups.ListAsync().ConfigureAwait(false))
        {
            if (!all && !_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Group, groupId, logIfDenied: false))
            {
                continue;
            }
            if (request.StatesFilter.Count > 0 && !request.StatesFilter.Contains(stateName, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            if (request.TypesFilter.Count > 0 && !request.TypesFilter.Contains(groupType, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }
            response.Groups.Add(new ListGroupsResponse.ListedGroup { GroupId = groupId, ProtocolType = protocolType, GroupState = stateName, GroupType = groupType });
        }
        return response;
    }
}
