namespace Rill.Broker.Config;

/// <summary>
/// Where a config's value comes from: Kafka's DescribeConfigs ConfigSource, with its wire values. The one enum
/// for topic and broker configs (values, synonyms, sources).
/// </summary>
public enum ConfigSource : sbyte
{
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
}
