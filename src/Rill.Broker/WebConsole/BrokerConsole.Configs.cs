using Rill.Broker.Admin;
using Rill.Broker.Config;
using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Protocol;

namespace Rill.Broker.WebConsole;

public sealed partial class BrokerConsole
{
    /// <summary>Every config of the topic as DescribeConfigs reports it.</summary>
    public IReadOnlyList<ConfigEntry> TopicConfigs(ConsoleCaller caller, string name)
        => ConfigDescriber.Topic(FindAuthorized(caller, name, AclOperation.DescribeConfigs, "DescribeConfigs").Overrides, _broker.ConfigLayers).Select(Entry).ToList();

    /// <summary>Every broker property of this node as DescribeConfigs reports it; ReadOnly false marks the dynamic ones.</summary>
    public IReadOnlyList<ConfigEntry> BrokerConfigs(ConsoleCaller caller)
    {
        RequireCluster(caller, AclOperation.DescribeConfigs, "DescribeConfigs");
        return BrokerConfigs();
    }

    private List<ConfigEntry> BrokerConfigs() => ConfigDescriber.Broker(_broker.ConfigLayers).Select(Entry).ToList();

    /// <summary>As IncrementalAlterConfigs on the topic: SET each of <c>Set</c>, DELETE each of <c>Delete</c>.</summary>
    public void AlterTopicConfigs(ConsoleCaller caller, string name, ConfigChangeRequest change)
    {
        FindAuthorized(caller, name, AclOperation.AlterConfigs, "IncrementalAlterConfigs");
        Alter(ConfigResourceType.Topic, name, change);
    }

    /// <summary>As IncrementalAlterConfigs on this broker (the per-broker dynamic layer); static properties are refused.</summary>
    public void AlterBrokerConfigs(ConsoleCaller caller, ConfigChangeRequest change)
    {
        RequireCluster(caller, AclOperation.AlterConfigs, "IncrementalAlterConfigs");
        Alter(ConfigResourceType.Broker, _broker.Cluster.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture), change);
    }

    private void Alter(sbyte type, string name, ConfigChangeRequest change)
    {
        var operations = new List<ConfigOperation>();
        foreach (var (key, value) in change.Set ?? [])
        {
            operations.Add(new ConfigOperation(key, ConfigOperation.Set, value));
        }
        foreach (string key in change.Delete ?? [])
        {
            operations.Add(new ConfigOperation(key, ConfigOperation.Delete, null));
        }
        if (operations.Count == 0)
        {
            throw ConsoleException.Bad("Nothing to change.");
        }
        ConfigChangeResult result = new ConfigAdmin(_broker).Apply(type, name, operations, validateOnly: false);
        if (result.Error != ErrorCode.None)
        {
            throw Failure(result.Error, result.Message);
        }
    }

    private static ConfigEntry Entry(DescribedConfig c) => new(c.Name, c.Value, SourceName(c.Source), c.ReadOnly, c.IsSensitive,
        c.Type.ToString().ToUpperInvariant(), c.Documentation);

    /// <summary>Kafka's ConfigSource names (kafka-configs.sh prints them).</summary>
    private static string SourceName(ConfigSource source) => source switch
    {
        ConfigSource.DynamicTopicConfig => "DYNAMIC_TOPIC_CONFIG",
        ConfigSource.DynamicBrokerConfig => "DYNAMIC_BROKER_CONFIG",
        ConfigSource.DynamicDefaultBrokerConfig => "DYNAMIC_DEFAULT_BROKER_CONFIG",
        ConfigSource.StaticBrokerConfig => "STATIC_BROKER_CONFIG",
        ConfigSource.DefaultConfig => "DEFAULT_CONFIG",
        _ => "UNKNOWN",
    };
}
