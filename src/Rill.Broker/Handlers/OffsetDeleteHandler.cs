using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// OffsetDelete (key 47), v0 (KIP-496). Subscriptions are not tracked yet, so offsets can be
/// deleted only while the group has no members (GROUP_SUBSCRIBED_TO_TOPIC otherwise).
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
        var partitions = request.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex))).ToList();
        ErrorCode error = await _broker.Groups.DeleteOffsetsAsync(request.GroupId, partitions).ConfigureAwait(false);
        var response = new OffsetDeleteResponse();
        if (error is ErrorCode.GroupIdNotFound)
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
                    ErrorCode = (short)error,
                }).ToList(),
            });
        }
        return response;
    }
}
