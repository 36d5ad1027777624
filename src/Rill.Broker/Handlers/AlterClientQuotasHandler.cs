using Rill.Broker.Quotas;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// AlterClientQuotas (key 49, KIP-546), v0-1. Each entry sets or removes quota values of one entity
/// (user, client-id, (user, client-id) or ip; a null name is the default entity) and is answered on
/// its own: INVALID_REQUEST for an empty entity, a repeated entity type, ip combined with user or
/// client-id, a malformed ip, a key the entity type does not take (producer_byte_rate,
/// consumer_byte_rate, request_percentage, controller_mutation_rate for users and client ids;
/// connection_creation_rate for ips), a repeated key, a value that is not positive or, for the
/// integer quotas, not whole. validate_only checks without applying. Changes are persisted in the
/// data directory and apply to the next request. controller_mutation_rate is stored but not enforced.
/// </summary>
internal sealed class AlterClientQuotasHandler : ApiHandler<AlterClientQuotasRequest, AlterClientQuotasResponse>
{
    private readonly KafkaBroker _broker;

    public AlterClientQuotasHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.AlterClientQuotas;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override ValueTask<AlterClientQuotasResponse?> HandleAsync(RequestContext context, AlterClientQuotasRequest request)
    {
        var response = new AlterClientQuotasResponse();
        foreach (var entry in request.Entries)
        {
            var parts = entry.Entity.Select(e => (e.EntityType, e.EntityName)).ToList();
            var ops = entry.Ops.Select(o => new QuotaOp(o.Key, o.Value, o.Remove)).ToList();
            var (error, message) = _broker.Authorizer.AllowsCluster(context, Security.Authorization.AclOperation.AlterConfigs)
                ? _broker.Quotas.Configs.Alter(parts, ops, request.ValidateOnly)
                : (ErrorCode.ClusterAuthorizationFailed, "Not authorized to alter client quotas (ALTER_CONFIGS on the cluster).");
            response.Entries.Add(new AlterClientQuotasResponse.AlterClientQuotasEntryResult
            {
                ErrorCode = (short)error,
                ErrorMessage = message,
                Entity = entry.Entity.Select(e => new AlterClientQuotasResponse.AlterClientQuotasResultEntity { EntityType = e.EntityType, EntityName = e.EntityName }).ToList(),
            });
        }
        return ValueTask.FromResult<AlterClientQuotasResponse?>(response);
    }
}
