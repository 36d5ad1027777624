using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// InitProducerId (key 22), v0-5, for idempotent producers: every call gets a fresh producer id
/// with epoch 0 (as Kafka does when there is no transactional id, also for the KIP-360 epoch-bump
/// form of v3+). Transactional ids need the transaction coordinator, which Rill does not have
/// yet: they are refused with INVALID_REQUEST rather than half-served.
/// </summary>
internal sealed class InitProducerIdHandler : ApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    private readonly KafkaBroker _broker;

    public InitProducerIdHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.InitProducerId;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        ErrorCode refused = request.TransactionalId is not null
            ? _broker.Authorizer.Allows(context, AclOperation.Write, AclResourceType.TransactionalId, request.TransactionalId)
                ? ErrorCode.None : ErrorCode.TransactionalIdAuthorizationFailed
            : _broker.Authorizer.AllowsCluster(context, AclOperation.IdempotentWrite, logIfDenied: false)
                || _broker.Authorizer.AllowsAny(context, AclOperation.Write, AclResourceType.Topic)
                ? ErrorCode.None : ErrorCode.ClusterAuthorizationFailed;
        if (refused != ErrorCode.None)
        {
            return ValueTask.FromResult<InitProducerIdResponse?>(new InitProducerIdResponse { ErrorCode = (short)refused, ProducerId = -1, ProducerEpoch = -1 });
        }
        if (request.TransactionalId is not null)
        {
            return ValueTask.FromResult<InitProducerIdResponse?>(new InitProducerIdResponse
            {
                ErrorCode = (short)ErrorCode.InvalidRequest,
                ProducerId = -1,
                ProducerEpoch = -1,
            });
        }
        return ValueTask.FromResult<InitProducerIdResponse?>(new InitProducerIdResponse
        {
            ErrorCode = 0,
            ProducerId = _broker.Topics.ProducerIds.Next(),
            ProducerEpoch = 0,
        });
    }
}
