using Rill.Broker.Security.Authorization;
using Rill.Coordination.Groups.Consumer;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// ConsumerGroupHeartbeat (key 68), v0-1: the consumer group protocol of KIP-848. The coordinator
/// assigns partitions itself (group.consumer.assignors: uniform, range); v1 adds topic regexes and
/// client-generated member ids (KIP-1082). Not implemented: rack-aware assignment, migration of
/// groups between the classic and the consumer protocol.
/// </summary>
internal sealed class ConsumerGroupHeartbeatHandler : ApiHandler<ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse>
{
    private readonly KafkaBroker _broker;

    public ConsumerGroupHeartbeatHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.ConsumerGroupHeartbeat;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override async ValueTask<ConsumerGroupHeartbeatResponse?> HandleAsync(RequestContext context, ConsumerGroupHeartbeatRequest request)
    {
        if (!_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new ConsumerGroupHeartbeatResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed, MemberId = request.MemberId };
        }
        if (request.SubscribedTopicNames?.Find(t => !_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, t)) is { } denied)
        {
            return new ConsumerGroupHeartbeatResponse
            {
                ErrorCode = (short)ErrorCode.TopicAuthorizationFailed,
                ErrorMessage = $"Not authorized to describe subscribed topic {denied}",
                MemberId = request.MemberId,
            };
        }
        IReadOnlySet<TopicIdPartition>? owned = request.TopicPartitions is null
            ? null
            : PartitionSets.From(request.TopicPartitions.Select(t => (t.TopicId, (IEnumerable<int>)t.Partitions)));
        var heartbeat = new ConsumerHeartbeat(request.GroupId, request.MemberId, request.MemberEpoch, request.InstanceId, request.RackId,
            request.RebalanceTimeoutMs, request.SubscribedTopicNames, request.SubscribedTopicRegex, request.ServerAssignor, owned,
            context.ClientId ?? "", "/" + (context.RemoteEndPoint as System.Net.IPEndPoint)?.Address, context.ApiVersion);
        ConsumerHeartbeatResult result = await _broker.Groups.ConsumerHeartbeatAsync(heartbeat).ConfigureAwait(false);
        var response = new ConsumerGroupHeartbeatResponse
        {
            ErrorCode = (short)result.Error,
            ErrorMessage = result.ErrorMessage,
            MemberId = result.MemberId,
            MemberEpoch = result.MemberEpoch,
            HeartbeatIntervalMs = result.HeartbeatIntervalMs,
        };
        if (result.Error == ErrorCode.None && result.Assignment is { } assignment)
        {
            response.Assignment = new ConsumerGroupHeartbeatResponse.MemberAssignment
            {
                TopicPartitions = PartitionSets.ByTopic(assignment).Select(t => new ConsumerGroupHeartbeatResponse.AssignedTopicPartitions
                {
                    TopicId = t.TopicId,
                    Partitions = t.Partitions,
                }).ToList(),
            };
        }
        return response;
    }
}
