using Rill.Broker.Security.Authorization;
using Rill.Broker.Admin;
using Rill.Broker.Config;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// IncrementalAlterConfigs (key 44, KIP-339), v0-1. SET (0), DELETE (1), APPEND (2) and SUBTRACT
/// (3, list configs only) on a topic's overrides or the dynamic broker configs at this broker or
/// the cluster default (""); configs not named are left alone. Errors as AlterConfigs; a config
/// named twice in one resource is INVALID_REQUEST. Not implemented: BROKER_LOGGER (8).
/// </summary>
internal sealed class IncrementalAlterConfigsHandler : ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>
{
    private readonly KafkaBroker _broker;
    private readonly ConfigAdmin _admin;

    public IncrementalAlterConfigsHandler(KafkaBroker broker)
    {
        _broker = broker;
        _admin = new ConfigAdmin(broker);
    }

    public override ApiKey Key => ApiKey.IncrementalAlterConfigs;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override ValueTask<IncrementalAlterConfigsResponse?> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        var counts = request.Resources.CountBy(r => (r.ResourceType, r.ResourceName)).ToDictionary();
        foreach (var resource in request.Resources)
        {
            ConfigChangeResult result = counts[(resource.ResourceType, resource.ResourceName)] > 1
                ? new(ErrorCode.InvalidRequest, $"Resource '{resource.ResourceName}' of type {resource.ResourceType} appears more than once.")
                : _broker.Authorizer.RefusesConfigResource(context, resource.ResourceType, resource.ResourceName, AclOperation.AlterConfigs) is { } refused
                    ? new(refused, "Altering these configs needs ALTER_CONFIGS.")
                : _admin.Apply(resource.ResourceType, resource.ResourceName,
                    resource.Configs.Select(c => new ConfigOperation(c.Name, c.ConfigOperation, c.Value)).ToList(), request.ValidateOnly);
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = (short)result.Error,
                ErrorMessage = result.Message,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }
        return ValueTask.FromResult<IncrementalAlterConfigsResponse?>(response);
    }
}
