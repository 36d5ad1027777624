using Rill.Broker.Security.Authorization;
using Rill.Coordination.Groups;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// OffsetCommit (key 8), v0-9. Commits from a group member are checked against its generation;
/// generation -1 with no member id is a "simple" commit, accepted while the group has no members.
/// Unknown topics or partitions get UNKNOWN_TOPIC_OR_PARTITION; metadata over
/// offset.metadata.max.bytes gets OFFSET_METADATA_TOO_LARGE.
/// </summary>
internal sealed class OffsetCommitHandler : ApiHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    private readonly KafkaBroker _broker;

    public OffsetCommitHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.OffsetCommit;
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override async ValueTask<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request)
    {
        int maxMetadata = _broker.Config.OffsetMetadataMaxBytes;
        long now = _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var accepted = new List<(string, int, CommittedOffset)>();
        var errors = new Dictionary<(string, int), ErrorCode>();
        if (!_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return Answer(request, errors, ErrorCode.GroupAuthorizationFailed);
        }
        foreach (var topic in request.Topics)
        {
            var found = _broker.Topics.Find(topic.Name);
            bool topicAllowed = _broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Topic, topic.Name);
            foreach (var p in topic.Partitions)
            {
                if (!topicAllowed)
                {
                    errors[(topic.Name, p.PartitionIndex)] = ErrorCode.TopicAuthorizationFailed;
                }
                else if (found?.GetPartition(p.PartitionIndex) is null)
                {
                    errors[(topic.Name, p.PartitionIndex)] = ErrorCode.UnknownTopicOrPartition;
                }
                else if (p.CommittedMetadata is { Length: var length } && length > maxMetadata)
                {
                    errors[(topic.Name, p.PartitionIndex)] = ErrorCode.OffsetMetadataTooLarge;
                }
                else
                {
                    accepted.Add((topic.Name, p.PartitionIndex, new CommittedOffset(p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata, now)));
                }
            }
        }

        ErrorCode groupError = context.ApiVersion == 0 && request.GroupId.Length > 0
            ? await _broker.Groups.CommitAsync(request.GroupId, -1, "", null, accepted).ConfigureAwait(false)
            : await _broker.Groups.CommitAsync(request.GroupId, request.GenerationIdOrMemberEpoch, request.MemberId, request.GroupInstanceId, accepted, context.ApiVersion).ConfigureAwait(false);
        return Answer(request, errors, groupError);
    }

    private static OffsetCommitResponse Answer(OffsetCommitRequest request, Dictionary<(string, int), ErrorCode> errors, ErrorCode groupError)
    {
        var response = new OffsetCommitResponse();
        foreach (var topic in request.Topics)
        {
            var t = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            foreach (var p in topic.Partitions)
            {
                t.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)(errors.TryGetValue((topic.Name, p.PartitionIndex), out ErrorCode e) ? e : groupError),
                });
            }
            response.Topics.Add(t);
        }
        return response;
    }
}
