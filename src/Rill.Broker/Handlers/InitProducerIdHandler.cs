using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// InitProducerId (key 22), v0-5. Without a transactional id (idempotent producers) every call
/// gets a fresh producer id with epoch 0, as Kafka does, also for the KIP-360 form of v3+. With
/// one, the transaction coordinator answers: a new id gets a producer id at epoch 0, a known one
/// its epoch bumped (fencing the previous producer), an ongoing transaction of it is aborted first
/// (CONCURRENT_TRANSACTIONS, the client retries); v3+ producer id/epoch are KIP-360's expected
/// current producer. An empty transactional id is INVALID_REQUEST.
/// </summary>
internal sealed class InitProducerIdHandler : ApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    private readonly KafkaBroker _broker;

    public InitProducerIdHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.InitProducerId;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        ErrorCode refused = request.TransactionalId is not null
            ? _broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId)
                ? ErrorCode.None : ErrorCode.TransactionalIdAuthorizationFailed
            : _broker.Authorizer.AllowsCluster(context, AclOperation.IdempotentWrite, logIfDenied: false)
                || _broker.Authorizer.AllowsAny(context, AclOperation.Write, AclResourceType.Topic)
                ? ErrorCode.None : ErrorCode.ClusterAuthorizationFailed;
        if (refused != ErrorCode.None)
        {
            return new InitProducerIdResponse { ErrorCode = (short)refused, ProducerId = -1, ProducerEpoch = -1 };
        }
        if (request.TransactionalId is null)
        {
            return new InitProducerIdResponse { ErrorCode = 0, ProducerId = _broker.Topics.ProducerIds.Next(), ProducerEpoch = 0 };
        }
        if (request.TransactionalId.Length == 0)
        {
            return new InitProducerIdResponse { ErrorCode = (short)ErrorCode.InvalidRequest, ProducerId = -1, ProducerEpoch = -1 };
        }
        var result = await _broker.Transactions.Coordinator.InitProducerIdAsync(request.TransactionalId, request.TransactionTimeoutMs,
            request.ProducerId, request.ProducerEpoch).ConfigureAwait(false);
        return new InitProducerIdResponse
        {
            ErrorCode = (short)result.Error,
            ProducerId = result.Error == ErrorCode.None ? result.ProducerId : -1,
            ProducerEpoch = result.Error == ErrorCode.None ? result.ProducerEpoch : (short)-1,
        };
    }
}
