using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// AddOffsetsToTxn (key 25), v0-4: adds the group's __consumer_offsets partition to the producer's
/// transaction, so the offsets it then sends with TxnOffsetCommit commit or abort with it.
/// </summary>
internal sealed class AddOffsetsToTxnHandler : ApiHandler<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>
{
    private readonly KafkaBroker _broker;

    public AddOffsetsToTxnHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.AddOffsetsToTxn;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override async ValueTask<AddOffsetsToTxnResponse?> HandleAsync(RequestContext context, AddOffsetsToTxnRequest request)
    {
        if (request.GroupId.Length == 0)
        {
            return new AddOffsetsToTxnResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        }
        if (!_broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId))
        {
            return new AddOffsetsToTxnResponse { ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed };
        }
        if (!_broker.Authorizer.Allows(context, AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new AddOffsetsToTxnResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed };
        }
        var partition = new TxnPartition(ConsumerOffsetsLog.TopicName, _broker.OffsetsLog.PartitionOf(request.GroupId));
        ErrorCode error = await _broker.Transactions.Coordinator.AddPartitionsAsync(request.TransactionalId, request.ProducerId,
            request.ProducerEpoch, [partition]).ConfigureAwait(false);
        return new AddOffsetsToTxnResponse { ErrorCode = (short)error };
    }
}
