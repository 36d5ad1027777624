using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// EndTxn (key 26), v0-4: commits or aborts the producer's transaction. The decision is written to
/// __transaction_state before the answer; the markers follow (a new transaction of the same
/// producer gets CONCURRENT_TRANSACTIONS until they are written). v5 (KIP-890 part 2, the epoch
/// bumped per transaction) is not served.
/// </summary>
internal sealed class EndTxnHandler : ApiHandler<EndTxnRequest, EndTxnResponse>
{
    private readonly KafkaBroker _broker;

    public EndTxnHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.EndTxn;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override async ValueTask<EndTxnResponse?> HandleAsync(RequestContext context, EndTxnRequest request)
    {
        if (!_broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId))
        {
            return new EndTxnResponse { ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed };
        }
        ErrorCode error = await _broker.Transactions.Coordinator.EndTransactionAsync(request.TransactionalId, request.ProducerId,
            request.ProducerEpoch, request.Committed).ConfigureAwait(false);
        return new EndTxnResponse { ErrorCode = (short)error };
    }
}
