using Rill.Broker.Security.Authorization;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// ListTransactions (key 66), v0-1 (KIP-664, KIP-994): every transactional id this coordinator
/// knows with its producer id and state, filtered by state names (unknown names are echoed in
/// UnknownStateFilters), producer ids and, v1, a minimum running time of the transaction.
/// </summary>
internal sealed class ListTransactionsHandler : ApiHandler<ListTransactionsRequest, ListTransactionsResponse>
{
    private readonly KafkaBroker _broker;

    public ListTransactionsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.ListTransactions;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override async ValueTask<ListTransactionsResponse?> HandleAsync(RequestContext context, ListTransactionsRequest request)
    {
        var response = new ListTransactionsResponse();
        TransactionCoordinator coordinator = _broker.Transactions.Coordinator;
        if (coordinator.IsLoading)
        {
            response.ErrorCode = (short)ErrorCode.CoordinatorLoadInProgress;
            return response;
        }
        var states = new HashSet<TransactionState>();
        foreach (string name in request.StateFilters)
        {
            if (Enum.TryParse(name, ignoreCase: false, out TransactionState state) && Enum.IsDefined(state))
            {
                states.Add(state);
            }
            else
            {
                response.UnknownStateFilters.Add(name);
            }
        }
        long now = _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (TransactionSnapshot t in (await coordinator.ListAsync().ConfigureAwait(false)).OrderBy(t => t.TransactionalId, StringComparer.Ordinal))
        {
            if (!_broker.Authorizer.Allows(context, AclOperation.Describe, AclResourceType.TransactionalId, t.TransactionalId, logIfDenied: false)
                || (request.StateFilters.Count > 0 && !states.Contains(t.State))
                || (request.ProducerIdFilters.Count > 0 && !request.ProducerIdFilters.Contains(t.ProducerId))
                || (request.DurationFilter >= 0 && (t.StartTimestampMs < 0 || now - t.StartTimestampMs < request.DurationFilter)))
            {
                continue;
            }
            response.TransactionStates.Add(new ListTransactionsResponse.ListedTransaction
            {
                TransactionalId = t.TransactionalId,
                ProducerId = t.ProducerId,
                TransactionState = t.State.ToString(),
            });
        }
        return response;
    }
}
