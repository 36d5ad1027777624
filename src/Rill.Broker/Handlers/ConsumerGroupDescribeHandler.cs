using Rill.Broker.Security.Authorization;
using Rill.Coordination.Groups.Consumer;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// ConsumerGroupDescribe (key 69), v0-1: KIP-848 groups with each member's epoch, subscription,
/// current and target assignment. Classic and unknown groups answer GROUP_ID_NOT_FOUND. v1 adds the
/// member type (1: consumer protocol; every member here uses it).
/// </summary>
internal sealed class ConsumerGroupDescribeHandler : ApiHandler<ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse>
{
    private readonly KafkaBroker _broker;

    public ConsumerGroupDescribeHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.ConsumerGroupDescribe;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override async ValueTask<ConsumerGroupDescribeResponse?> HandleAsync(RequestContext context, ConsumerGroupDescribeRequest request)
    {
        var response = new ConsumerGroupDescribeResponse();
        foreach (string groupId in request.GroupIds)
        {
            if (!_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Group, groupId))
            {
                response.Groups.Add(new ConsumerGroupDescribeResponse.DescribedGroup
                {
                    ErrorCode = (short)ErrorCode.GroupAuthorizationFailed, GroupId = groupId, GroupState = "", AssignorName = "",
                    AuthorizedOperations = int.MinValue,
                });
                continue;
            }
            ConsumerGroupDescription d = await _broker.Groups.DescribeConsumerGroupAsync(groupId).ConfigureAwait(false);
            response.Groups.Add(new ConsumerGroupDescribeResponse.DescribedGroup
            {
                ErrorCode = (short)d.Error,
                ErrorMessage = d.ErrorMessage,
                GroupId = groupId,
                GroupState = d.Error == ErrorCode.None ? d.State.ToString() : "",
                GroupEpoch = d.GroupEpoch,
                AssignmentEpoch = d.AssignmentEpoch,
                AssignorName = d.AssignorName,
                AuthorizedOperations = request.IncludeAuthorizedOperations
                    ? _broker.Authorizer.AuthorizedOperations(context, AclResourceType.Group, groupId)
                    : int.MinValue,
                Members = d.Members.Select(m => new ConsumerGroupDescribeResponse.Member
                {
                    MemberId = m.MemberId,
                    InstanceId = m.InstanceId,
                    RackId = m.RackId,
                    MemberEpoch = m.MemberEpoch,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    SubscribedTopicNames = m.SubscribedTopicNames.ToList(),
                    SubscribedTopicRegex = m.SubscribedTopicRegex,
                    Assignment = Assignment(m.Assignment),
                    TargetAssignment = Assignment(m.TargetAssignment),
                    MemberType = 1,
                }).ToList(),
            });
        }
        return response;
    }

    private ConsumerGroupDescribeResponse.Assignment Assignment(IReadOnlySet<TopicIdPartition> partitions) => new()
    {
        TopicPartitions = PartitionSets.ByTopic(partitions).Select(t => new ConsumerGroupDescribeResponse.TopicPartitions
        {
            TopicId = t.TopicId,
            TopicName = _broker.Topics.Find(t.TopicId)?.Name ?? "",
            Partitions = t.Partitions,
        }).ToList(),
    };
}
