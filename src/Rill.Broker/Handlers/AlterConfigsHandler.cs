using Rill.Broker.Security.Authorization;
using Rill.Broker.Admin;
using Rill.Broker.Config;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// AlterConfigs (key 33), v0-2. Replaces the whole set of a topic's overrides, or of the dynamic
/// broker configs at this broker ("&lt;node.id&gt;") or the cluster default (""): configs not listed
/// revert to their defaults. Validated with Kafka's codes and a message naming the config;
/// ValidateOnly changes nothing. Changes persist and apply without a restart. A resource listed
/// twice is INVALID_REQUEST. Not implemented: BROKER_LOGGER (8).
/// </summary>
internal sealed class AlterConfigsHandler : ApiHandler<AlterConfigsRequest, AlterConfigsResponse>
{
    private readonly KafkaBroker _broker;
    private readonly ConfigAdmin _admin;

    public AlterConfigsHandler(KafkaBroker broker)
    {
        _broker = broker;
        _admin = new ConfigAdmin(broker);
    }

    public override ApiKey Key => ApiKey.AlterConfigs;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override ValueTask<AlterConfigsResponse?> HandleAsync(RequestContext context, AlterConfigsRequest request)
    {
        var response = new AlterConfigsResponse();
        var counts = request.Resources.CountBy(r => (r.ResourceType, r.ResourceName)).ToDictionary();
        foreach (var resource in request.Resources)
        {
            ConfigChangeResult result = counts[(resource.ResourceType, resource.ResourceName)] > 1
                ? new(ErrorCode.InvalidRequest, $"Resource '{resource.ResourceName}' of type {resource.ResourceType} appears more than once.")
                : _broker.Authorizer.RefusesConfigResource(context, resource.ResourceType, resource.ResourceName, AclOperation.AlterConfigs) is { } refused
                    ? new(refused, "Altering these configs needs ALTER_CONFIGS.")
                : _admin.Replace(resource.ResourceType, resource.ResourceName,
                    resource.Configs.Select(c => (c.Name, c.Value)).ToList(), request.ValidateOnly);
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = (short)result.Error,
                ErrorMessage = result.Message,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }
        return ValueTask.FromResult<AlterConfigsResponse?>(response);
    }
}
