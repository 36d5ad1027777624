using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// DescribeTransactions (key 65), v0 (KIP-664): state, timeout, start time, producer id/epoch and
/// partitions of each transactional id; an unknown one answers TRANSACTIONAL_ID_NOT_FOUND.
/// </summary>
internal sealed class DescribeTransactionsHandler : ApiHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>
{
    private readonly KafkaBroker _broker;

    public DescribeTransactionsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DescribeTransactions;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override async ValueTask<DescribeTransactionsResponse?> HandleAsync(RequestContext context, DescribeTransactionsRequest request)
    {
        var response = new DescribeTransactionsResponse();
        var coordinator = _broker.Transactions.Coordinator;
        foreach (string id in request.TransactionalIds)
        {
            var state = new DescribeTransactionsResponse.DescribedTransaction { TransactionalId = id, TransactionState = "", ProducerId = -1, ProducerEpoch = -1, TransactionStartTimeMs = -1 };
            response.TransactionStates.Add(state);
            if (!_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.TransactionalId, id))
            {
                state.ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed;
                continue;
            }
            if (coordinator.Availability(id) is var unavailable and not ErrorCode.None)
            {
                state.ErrorCode = (short)unavailable;
                continue;
            }
            if (await coordinator.DescribeAsync(id).ConfigureAwait(false) is not { } t)
            {
                state.ErrorCode = (short)ErrorCode.TransactionalIdNotFound;
                continue;
            }
            state.TransactionState = t.State.ToString();
            state.TransactionTimeoutMs = t.TimeoutMs;
            state.TransactionStartTimeMs = t.StartTimestampMs;
            state.ProducerId = t.ProducerId;
            state.ProducerEpoch = t.ProducerEpoch;
            state.Topics = t.Partitions.GroupBy(p => p.Topic, StringComparer.Ordinal)
                .Select(g => new DescribeTransactionsResponse.TopicData { Topic = g.Key, Partitions = g.Select(p => p.Partition).ToList() })
                .ToList();
        }
        return response;
    }
}
