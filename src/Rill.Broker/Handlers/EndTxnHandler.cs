using Rill.Broker.Security.Authorization;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// EndTxn (key 26), v0-5: commits or aborts the producer's transaction. The decision is written to
/// __transaction_state before the answer; the markers follow (a new transaction of the same
/// producer gets CONCURRENT_TRANSACTIONS until they are written). v5 with transaction.version 2
/// (KIP-890 part 2): the coordinator bumps the producer epoch, writes the markers with it and answers
/// the producer id and epoch to continue with (a new producer id at epoch 0 once the epoch is
/// exhausted). With a lower finalized level v5 ends as v4 does and answers the unchanged id and epoch.
/// </summary>
internal sealed class EndTxnHandler : ApiHandler<EndTxnRequest, EndTxnResponse>
{
    private readonly KafkaBroker _broker;

    public EndTxnHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.EndTxn;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<EndTxnResponse?> HandleAsync(RequestContext context, EndTxnRequest request)
    {
        if (!_broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId))
        {
            return new EndTxnResponse { ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed };
        }
        short clientTransactionVersion = context.ApiVersion >= 5 && _broker.Transactions.Feature.V2Enabled
            ? TransactionCoordinator.TransactionVersion2 : (short)0;
        EndTxnResult result = await _broker.Transactions.Coordinator.EndTransactionAsync(request.TransactionalId, request.ProducerId,
            request.ProducerEpoch, request.Committed, clientTransactionVersion).ConfigureAwait(false);
        return new EndTxnResponse { ErrorCode = (short)result.Error, ProducerId = result.ProducerId, ProducerEpoch = result.ProducerEpoch };
    }
}
