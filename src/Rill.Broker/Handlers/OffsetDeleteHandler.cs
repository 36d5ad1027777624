using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// OffsetDelete (key 47), v0 (KIP-496). Offsets of topics the group's members subscribe to are
/// kept (GROUP_SUBSCRIBED_TO_TOPIC for those partitions); the rest are deleted.
/// </summary>
internal sealed class OffsetDeleteHandler : ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    private readonly KafkaBroker _broker;

    public OffsetDeleteHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.OffsetDelete;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override async ValueTask<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request)
    {
        var response = new OffsetDeleteResponse();
        if (!_broker.Authorizer.Allows(context, AclOperation.Delete, AclResourceType.Group, request.GroupId))
        {
            response.ErrorCode = (short)ErrorCode.GroupAuthorizationFailed;
            return response;
        }
        var deniedTopics = request.Topics.Select(t => t.Name)
            .Where(name => !_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Topic, name))
            .ToHashSet(StringComparer.Ordinal);
        var partitions = request.Topics.Where(t => !deniedTopics.Contains(t.Name))
            .SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex))).ToList();
        var (error, partitionErrors) = await _broker.Groups.DeleteOffsetsAsync(request.GroupId, partitions).ConfigureAwait(false);
        if (error != ErrorCode.None)
        {
            response.ErrorCode = (short)error;
            return response;
        }
        foreach (var topic in request.Topics)
        {
            response.Topics.Add(new OffsetDeleteResponse.OffsetDeleteResponseTopic
            {
                Name = topic.Name,
                Partitions = topic.Partitions.Select(p => new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)(deniedTopics.Contains(topic.Name) ? ErrorCode.TopicAuthorizationFailed
                        : partitionErrors.GetValueOrDefault((topic.Name, p.PartitionIndex))),
                }).ToList(),
            });
        }
        return response;
    }
}
