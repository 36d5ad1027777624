using Rill.Broker.Quotas;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// DescribeClientQuotas (key 48, KIP-546), v0-1. The quota entities (user, client-id, ip; a null
/// name is the default entity) matching every filter component (exact name, default, or any
/// specified name), with their values; with strict set the entity must have no other parts. A
/// repeated or empty entity type, a bad match, or ip mixed with user/client-id is INVALID_REQUEST,
/// an unknown entity type UNSUPPORTED_VERSION, as Kafka's controller answers.
/// </summary>
internal sealed class DescribeClientQuotasHandler : ApiHandler<DescribeClientQuotasRequest, DescribeClientQuotasResponse>
{
    private readonly KafkaBroker _broker;

    public DescribeClientQuotasHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DescribeClientQuotas;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override ValueTask<DescribeClientQuotasResponse?> HandleAsync(RequestContext context, DescribeClientQuotasRequest request)
    {
        var filter = request.Components.Select(c => new QuotaFilterComponent(c.EntityType, c.MatchType, c.Match)).ToList();
        var response = new DescribeClientQuotasResponse();
        if (!_broker.Authorizer.AllowsCluster(context, Security.Authorization.AclOperation.DescribeConfigs))
        {
            response.ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed;
            response.ErrorMessage = "Not authorized to describe client quotas (DESCRIBE_CONFIGS on the cluster).";
            return ValueTask.FromResult<DescribeClientQuotasResponse?>(response);
        }
        try
        {
            response.Entries = _broker.Quotas.Configs.Describe(filter, request.Strict).Select(e => new DescribeClientQuotasResponse.DescribeClientQuotasEntry
            {
                Entity = e.Key.Parts().Select(p => new DescribeClientQuotasResponse.DescribeClientQuotasEntity { EntityType = p.Type, EntityName = p.Name }).ToList(),
                Values = e.Value.OrderBy(v => v.Key, StringComparer.Ordinal)
                    .Select(v => new DescribeClientQuotasResponse.DescribeClientQuotasValue { Key = v.Key, Value = v.Value }).ToList(),
            }).ToList();
        }
        catch (QuotaRequestException e)
        {
            response.ErrorCode = (short)e.Error;
            response.ErrorMessage = e.Message;
            response.Entries = null;
        }
        return ValueTask.FromResult<DescribeClientQuotasResponse?>(response);
    }
}
