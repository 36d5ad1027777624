using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Coordination.Groups;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// TxnOffsetCommit (key 28), v0-5: offsets committed inside a transaction. The group's
/// __consumer_offsets partition must be in the producer's ongoing transaction (AddOffsetsToTxn
/// first; else INVALID_TXN_STATE, an old epoch PRODUCER_FENCED); v3+ group metadata (KIP-447:
/// generation, member id, instance id) is checked against the group as OffsetCommit is. The
/// offsets are written as a transactional batch and become visible to OffsetFetch only when the
/// commit marker reaches __consumer_offsets; an abort drops them. v5 with transaction.version 2 (KIP-890 part 2):
/// the group's __consumer_offsets partition is added to the producer's transaction here (the client sends no
/// AddOffsetsToTxn); a coordinator still completing the previous transaction answers COORDINATOR_LOAD_IN_PROGRESS,
/// which clients retry. With a lower finalized level v5 behaves as v4.
/// </summary>
internal sealed class TxnOffsetCommitHandler : ApiHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse>
{
    private readonly KafkaBroker _broker;

    public TxnOffsetCommitHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.TxnOffsetCommit;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<TxnOffsetCommitResponse?> HandleAsync(RequestContext context, TxnOffsetCommitRequest request)
    {
        ErrorCode error = await CommitAsync(context, request).ConfigureAwait(false);
        var response = new TxnOffsetCommitResponse();
        foreach (var topic in request.Topics)
        {
            response.Topics.Add(new TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic
            {
                Name = topic.Name,
                Partitions = topic.Partitions.Select(p => new TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)(error != ErrorCode.None ? error
                        : p.CommittedMetadata is { } m && m.Length > _broker.Config.OffsetMetadataMaxBytes ? ErrorCode.OffsetMetadataTooLarge
                        : ErrorCode.None),
                }).ToList(),
            });
        }
        return response;
    }

    private async Task<ErrorCode> CommitAsync(RequestContext context, TxnOffsetCommitRequest request)
    {
        if (request.GroupId.Length == 0)
        {
            return ErrorCode.InvalidGroupId;
        }
        if (!_broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId))
        {
            return ErrorCode.TransactionalIdAuthorizationFailed;
        }
        if (!_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return ErrorCode.GroupAuthorizationFailed;
        }
        if (request.Topics.Find(t => !_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Topic, t.Name)) is not null)
        {
            return ErrorCode.TopicAuthorizationFailed;
        }
        if (_broker.Groups.Availability(request.GroupId) is var unavailable and not ErrorCode.None)
        {
            return unavailable;
        }
        var offsetsPartition = new TxnPartition(ConsumerOffsetsLog.TopicName, _broker.OffsetsLog.PartitionOf(request.GroupId));
        ErrorCode verified = context.ApiVersion >= 5 && _broker.Transactions.Feature.V2Enabled
            ? await _broker.Transactions.AddPartitionsV2Async(request.TransactionalId, request.ProducerId,
                request.ProducerEpoch, [offsetsPartition]).ConfigureAwait(false) switch
            {
                // Retriable for the client: the transaction coordinator is busy, moving or (on another broker) unreachable.
                ErrorCode.ConcurrentTransactions or ErrorCode.NotEnoughReplicas => ErrorCode.CoordinatorLoadInProgress,
                var other => other,
            }
            : await _broker.Transactions.VerifyPartitionAsync(request.TransactionalId, request.ProducerId,
                request.ProducerEpoch, offsetsPartition).ConfigureAwait(false);
        if (verified != ErrorCode.None)
        {
            return verified;
        }
        long now = _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();
        int maxMetadata = _broker.Config.OffsetMetadataMaxBytes;
        var offsets = request.Topics
            .SelectMany(t => t.Partitions
                .Where(p => p.CommittedMetadata is null || p.CommittedMetadata.Length <= maxMetadata)
                .Select(p => (t.Name, p.PartitionIndex, new CommittedOffset(p.CommittedOffset, p.CommittedLeaderEpoch, p.CommittedMetadata, now))))
            .ToList();
        return await _broker.Groups.TxnCommitAsync(request.GroupId, request.ProducerId, request.ProducerEpoch,
            context.ApiVersion >= 3 ? request.GenerationId : -1, context.ApiVersion >= 3 ? request.MemberId : "",
            context.ApiVersion >= 3 ? request.GroupInstanceId : null, offsets).ConfigureAwait(false);
    }
}
