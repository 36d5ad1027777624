using Rill.Broker.Security.Authorization;
using Rill.Coordination.Groups;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// OffsetFetch (key 9), v0-9. A null topic list (v2+) means every committed partition; v8+
/// asks for several groups at once; v9 names the asking KIP-848 member, which must be current
/// (UNKNOWN_MEMBER_ID / STALE_MEMBER_EPOCH). A partition without a commit answers offset -1.
/// v7+ RequireStable: a partition with an offset committed in a still open transaction answers
/// UNSTABLE_OFFSET_COMMIT (the client retries until the transaction is decided).
/// </summary>
internal sealed class OffsetFetchHandler : ApiHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    private readonly KafkaBroker _broker;

    public OffsetFetchHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.OffsetFetch;
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override async ValueTask<OffsetFetchResponse?> HandleAsync(RequestContext context, OffsetFetchRequest request)
    {
        var response = new OffsetFetchResponse();
        ErrorCode unavailable = context.ApiVersion < 8 ? _broker.Groups.Availability(request.GroupId) : ErrorCode.None;
        ErrorCode refused = unavailable != ErrorCode.None ? unavailable
            : context.ApiVersion < 8 && !_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Group, request.GroupId)
                ? ErrorCode.GroupAuthorizationFailed
                : ErrorCode.None;
        if (context.ApiVersion < 8 && refused != ErrorCode.None)
        {
            // v2+ carry a top-level error; v0-1 only per partition.
            response.ErrorCode = (short)refused;
            foreach (var topic in request.Topics ?? [])
            {
                response.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopic
                {
                    Name = topic.Name,
                    Partitions = topic.PartitionIndexes.Select(p => new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = p, CommittedOffset = -1, Metadata = "", ErrorCode = (short)refused,
                    }).ToList(),
                });
            }
            return response;
        }
        if (context.ApiVersion < 8)
        {
            var requested = request.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
            foreach (var (topic, partitions) in Resolve(context, request.GroupId, requested))
            {
                response.Topics.Add(new OffsetFetchResponse.OffsetFetchResponseTopic
                {
                    Name = topic,
                    Partitions = partitions.Select(p => p.Error == ErrorCode.None && Unstable(request, request.GroupId, topic, p.Partition)
                        ? new OffsetFetchResponse.OffsetFetchResponsePartition
                        {
                            PartitionIndex = p.Partition, CommittedOffset = -1, Metadata = "", ErrorCode = (short)ErrorCode.UnstableOffsetCommit,
                        }
                        : new OffsetFetchResponse.OffsetFetchResponsePartition
                        {
                            PartitionIndex = p.Partition,
                            CommittedOffset = p.Offset?.Offset ?? -1,
                            CommittedLeaderEpoch = p.Offset?.LeaderEpoch ?? -1,
                            Metadata = p.Offset?.Metadata ?? "",
                            ErrorCode = (short)p.Error,
                        }).ToList(),
                });
            }
            return response;
        }

        foreach (var group in request.Groups)
        {
            var requested = group.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
            ErrorCode groupError = _broker.Groups.Availability(group.GroupId) is var groupUnavailable and not ErrorCode.None ? groupUnavailable
                : !_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Group, group.GroupId) ? ErrorCode.GroupAuthorizationFailed
                : context.ApiVersion >= 9 ? await _broker.Groups.ValidateOffsetFetchAsync(group.GroupId, group.MemberId, group.MemberEpoch).ConfigureAwait(false)
                : ErrorCode.None;
            if (groupError != ErrorCode.None)
            {
                response.Groups.Add(new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId, ErrorCode = (short)groupError });
                continue;
            }
            response.Groups.Add(new OffsetFetchResponse.OffsetFetchResponseGroup
            {
                GroupId = group.GroupId,
                Topics = Resolve(context, group.GroupId, requested).Select(t => new OffsetFetchResponse.OffsetFetchResponseTopics
                {
                    Name = t.Topic,
                    Partitions = t.Partitions.Select(p => p.Error == ErrorCode.None && Unstable(request, group.GroupId, t.Topic, p.Partition)
                        ? new OffsetFetchResponse.OffsetFetchResponsePartitions
                        {
                            PartitionIndex = p.Partition, CommittedOffset = -1, Metadata = "", ErrorCode = (short)ErrorCode.UnstableOffsetCommit,
                        }
                        : new OffsetFetchResponse.OffsetFetchResponsePartitions
                        {
                            PartitionIndex = p.Partition,
                            CommittedOffset = p.Offset?.Offset ?? -1,
                            CommittedLeaderEpoch = p.Offset?.LeaderEpoch ?? -1,
                            Metadata = p.Offset?.Metadata ?? "",
                            ErrorCode = (short)p.Error,
                        }).ToList(),
                }).ToList(),
            });
        }
        return response;
    }

    private bool Unstable(OffsetFetchRequest request, string groupId, string topic, int partition)
        => request.RequireStable && _broker.Groups.HasPendingTxnOffset(groupId, topic, partition);

    /// <summary>
    /// The committed offsets asked for; topics the principal may not DESCRIBE are left out of an
    /// all-topics answer and answered TOPIC_AUTHORIZATION_FAILED when named.
    /// </summary>
    private List<(string Topic, List<(int Partition, CommittedOffset? Offset, ErrorCode Error)> Partitions)> Resolve(RequestContext context,
        string groupId, List<(string Name, IReadOnlyList<int> Partitions)>? requested)
    {
        if (requested is null)
        {
            return _broker.Groups.FetchAllOffsets(groupId)
                .Where(o => _broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, o.Topic, logIfDenied: false))
                .GroupBy(o => o.Topic)
                .Select(g => (g.Key, g.Select(o => (o.Partition, (CommittedOffset?)o.Offset, ErrorCode.None)).ToList()))
                .ToList();
        }
        return requested
            .Select(t => _broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.Topic, t.Name)
                ? (t.Name, t.Partitions.Select(p => (p, _broker.Groups.FetchOffset(groupId, t.Name, p), ErrorCode.None)).ToList())
                : (t.Name, t.Partitions.Select(p => (p, (CommittedOffset?)null, ErrorCode.TopicAuthorizationFailed)).ToList()))
            .ToList();
    }
}
