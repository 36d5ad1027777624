using Rill.Broker.Security.Authorization;
using Rill.Broker.Admin;
using Rill.Broker.Config;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// DescribeConfigs (key 32), v0-4. Topics (resource type 2): every Kafka 4.0 topic config with its
/// effective value and source. Brokers (4): this node's id describes every broker property, ""
/// the dynamic cluster defaults that are set. Null keys list all configs; named keys filter (unknown
/// names are left out). v0 reports is_default; v1+ the source and, when asked, the synonyms (topic
/// override, dynamic per-broker, dynamic default, static, default); v3+ the config type and, when
/// asked, a short documentation line. Not implemented: BROKER_LOGGER (8), client metrics and group
/// resources (INVALID_REQUEST).
/// </summary>
internal sealed class DescribeConfigsHandler : ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    private readonly KafkaBroker _broker;

    public DescribeConfigsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DescribeConfigs;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ValueTask<DescribeConfigsResponse?> HandleAsync(RequestContext context, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        short version = context.ApiVersion;
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            };
            response.Results.Add(result);
            if (_broker.Authorizer.RefusesConfigResource(context, resource.ResourceType, resource.ResourceName, AclOperation.DescribeConfigs) is { } refused)
            {
                result.ErrorCode = (short)refused;
                result.ErrorMessage = "Describing these configs needs DESCRIBE_CONFIGS.";
                continue;
            }
            var (configs, error, message) = Describe(resource.ResourceType, resource.ResourceName);
            if (error != ErrorCode.None)
            {
                result.ErrorCode = (short)error;
                result.ErrorMessage = message;
                continue;
            }
            HashSet<string>? keys = resource.ConfigurationKeys is { } requested ? new(requested, StringComparer.Ordinal) : null;
            foreach (DescribedConfig config in configs!)
            {
                if (keys is null || keys.Contains(config.Name))
                {
                    result.Configs.Add(ToWire(config, resource.ResourceType, request.IncludeSynonyms, request.IncludeDocumentation, version));
                }
            }
        }
        return ValueTask.FromResult<DescribeConfigsResponse?>(response);
    }

    private (IEnumerable<DescribedConfig>? Configs, ErrorCode Error, string? Message) Describe(sbyte type, string name)
    {
        switch (type)
        {
            case ConfigResourceType.Topic:
                if (TopicName.Validate(name) is { } invalid)
                {
                    return (null, ErrorCode.InvalidTopicException, invalid);
                }
                Topic? topic = _broker.Topics.Find(name);
                return topic is null
                    ? (null, ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.")
                    : (ConfigDescriber.Topic(topic.Overrides, _broker.ConfigLayers), ErrorCode.None, null);
            case ConfigResourceType.Broker:
                BrokerTarget target = BrokerTarget.Parse(name, _broker.Cluster.NodeId);
                if (target.Error != ErrorCode.None)
                {
                    return (null, target.Error, target.Message);
                }
                return (target.PerBroker ? ConfigDescriber.Broker(_broker.ConfigLayers) : ConfigDescriber.ClusterDefaults(_broker.ConfigLayers),
                    ErrorCode.None, null);
            default:
                return (null, ErrorCode.InvalidRequest, $"Config resource type {type} is not supported; Rill describes topics (2) and brokers (4).");
        }
    }

    private static DescribeConfigsResponse.DescribeConfigsResourceResult ToWire(DescribedConfig config, sbyte resourceType,
        bool includeSynonyms, bool includeDocumentation, short version)
    {
        var wire = new DescribeConfigsResponse.DescribeConfigsResourceResult
        {
            Name = config.Name,
            Value = config.Value,
            ReadOnly = config.ReadOnly,
            IsDefault = resourceType == ConfigResourceType.Topic
                ? config.Source != ConfigSource.DynamicTopicConfig
                : config.Source == ConfigSource.DefaultConfig,
            ConfigSource = (sbyte)config.Source,
            IsSensitive = config.IsSensitive,
            ConfigType = WireType(config.Type),
            Documentation = includeDocumentation && version >= 3 ? config.Documentation : null,
        };
        if (includeSynonyms && version >= 1)
        {
            foreach (ConfigSynonym synonym in config.Synonyms)
            {
                wire.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym
                {
                    Name = synonym.Name,
                    Value = synonym.Value,
                    Source = (sbyte)synonym.Source,
                });
            }
        }
        return wire;
    }

    /// <summary>Kafka's DescribeConfigs config types: BOOLEAN 1, STRING 2, INT 3, SHORT 4, LONG 5, DOUBLE 6, LIST 7, CLASS 8, PASSWORD 9.</summary>
    private static sbyte WireType(ConfigType type) => type switch
    {
        ConfigType.Boolean => 1,
        ConfigType.String => 2,
        ConfigType.Int => 3,
        ConfigType.Short => 4,
        ConfigType.Long => 5,
        ConfigType.Double => 6,
        ConfigType.List => 7,
        ConfigType.Class => 8,
        ConfigType.Password => 9,
        _ => 0,
    };
}
