using Rill.Broker.Config;
using Rill.Broker.Topics;
using Rill.Protocol;

namespace Rill.Broker.Admin;

/// <summary>One change of IncrementalAlterConfigs (KIP-339).</summary>
internal readonly record struct ConfigOperation(string Name, sbyte Op, string? Value)
{
    public const sbyte Set = 0, Delete = 1, Append = 2, Subtract = 3;
}

/// <summary>
/// AlterConfigs and IncrementalAlterConfigs for topics and the broker: builds the new set of
/// overrides (topic) or dynamic values (broker, per node or cluster default) from the request,
/// validates it with Kafka's error codes (INVALID_REQUEST for malformed requests, INVALID_CONFIG
/// for unknown names and bad values, naming the config), then persists and applies it unless the
/// request is validate-only. Topic changes reach the partition logs at once; a broker change
/// re-resolves every topic's defaults.
/// </summary>
internal sealed class ConfigAdmin
{
    private readonly KafkaBroker _broker;

    public ConfigAdmin(KafkaBroker broker) => _broker = broker;

    /// <summary>AlterConfigs: the given configs replace every override (topic) or dynamic value (broker) of the resource.</summary>
    public ConfigChangeResult Replace(sbyte type, string name, IReadOnlyList<(string Name, string? Value)> configs, bool validateOnly)
    {
        (Dictionary<string, string>?, ConfigChangeResult) Build(IReadOnlyDictionary<string, string> _)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in configs)
            {
                if (value is null)
                {
                    return (null, new(ErrorCode.InvalidRequest, $"Null value not supported for config '{key}'."));
                }
                if (!result.TryAdd(key, value))
                {
                    return (null, new(ErrorCode.InvalidRequest, $"Config '{key}' appears more than once."));
                }
            }
            return (result, ConfigChangeResult.Ok);
        }
        return Change(type, name, Build, validateOnly);
    }

    /// <summary>IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on the current overrides or dynamic values.</summary>
    public ConfigChangeResult Apply(sbyte type, string name, IReadOnlyList<ConfigOperation> operations, bool validateOnly)
    {
        Func<string, ConfigDef?> find = type == ConfigResourceType.Topic
            ? n => KafkaTopicConfigs.Find(n)?.Def
            : KafkaBrokerConfigs.Find;
        string kind = type == ConfigResourceType.Topic ? "topic config" : "broker config";
        IEnumerable<string> known = type == ConfigResourceType.Topic
            ? KafkaTopicConfigs.All.Select(d => d.Name)
            : KafkaBrokerConfigs.All.Select(d => d.Name);

        (Dictionary<string, string>?, ConfigChangeResult) Build(IReadOnlyDictionary<string, string> current)
        {
            var result = new Dictionary<string, string>(current, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (ConfigOperation op in operations)
            {
                if (!seen.Add(op.Name))
                {
                    return (null, new(ErrorCode.InvalidRequest, $"Config '{op.Name}' appears more than once."));
                }
                if (op.Op is < ConfigOperation.Set or > ConfigOperation.Subtract)
                {
                    return (null, new(ErrorCode.InvalidRequest, $"Unknown config operation {op.Op} for config '{op.Name}'."));
                }
                ConfigDef? def = find(op.Name);
                if (def is null)
                {
                    return (null, new(ErrorCode.InvalidConfig, NameSuggester.UnknownMessage(kind, op.Name, known)));
                }
                if (op.Op != ConfigOperation.Delete && op.Value is null)
                {
                    return (null, new(ErrorCode.InvalidRequest, $"Null value not supported for config '{op.Name}'."));
                }
                switch (op.Op)
                {
                    case ConfigOperation.Set:
                        result[op.Name] = op.Value!;
                        break;
                    case ConfigOperation.Delete:
                        result.Remove(op.Name);
                        break;
                    default:
                        if (def.Type != ConfigType.List)
                        {
                            string verb = op.Op == ConfigOperation.Append ? "append" : "subtract";
                            return (null, new(ErrorCode.InvalidConfig, $"Config value {verb} is not allowed for config '{op.Name}': it is not a list."));
                        }
                        result[op.Name] = ApplyToList(result.GetValueOrDefault(op.Name) ?? def.Default ?? "", op.Op, op.Value!);
                        break;
                }
            }
            return (result, ConfigChangeResult.Ok);
        }
        return Change(type, name, Build, validateOnly);
    }

    /// <summary>
    /// APPEND or SUBTRACT on a list value, as Kafka does: APPEND adds each element not already present, in order;
    /// SUBTRACT removes every occurrence of each element. Elements are trimmed; the result is comma-joined.
    /// </summary>
    internal static string ApplyToList(string current, sbyte op, string value)
    {
        List<string> list = ConfigValidator.SplitList(current).ToList();
        IReadOnlyList<string> values = ConfigValidator.SplitList(value);
        if (op == ConfigOperation.Append)
        {
            foreach (string v in values)
            {
                if (!list.Contains(v))
                {
                    list.Add(v);
                }
            }
        }
        else
        {
            list.RemoveAll(values.Contains);
        }
        return string.Join(',', list);
    }

    private ConfigChangeResult Change(sbyte type, string name,
        Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>?, ConfigChangeResult)> build, bool validateOnly)
    {
        switch (type)
        {
            case ConfigResourceType.Topic:
                if (TopicName.Validate(name) is { } invalid)
                {
                    return new(ErrorCode.InvalidTopicException, invalid);
                }
                (Dictionary<string, string>?, ErrorCode, string?) Update(IReadOnlyDictionary<string, string> current)
                {
                    var (layer, result) = build(current);
                    return (layer, result.Error, result.Message);
                }
                var (error, message) = _broker.Replication is { } replication
                    // Cluster mode: decided in the metadata store and applied by every broker (an admin request; blocking here is rare and short).
                    ? Task.Run(() => Replication.ClusterTopicConfigs.AlterAsync(replication, name, Update, validateOnly)).GetAwaiter().GetResult()
                    : _broker.Topics.AlterConfigs(name, Update, validateOnly);
                return new(error, message);
            case ConfigResourceType.Broker:
                BrokerTarget target = BrokerTarget.Parse(name, _broker.Cluster.NodeId);
                if (target.Error != ErrorCode.None)
                {
                    return new(target.Error, target.Message);
                }
                ConfigChangeResult changed = _broker.ConfigLayers.TryUpdate(target.PerBroker, build, validateOnly, out bool applied);
                if (applied)
                {
                    _broker.Topics.ReapplyBrokerConfig();
                }
                return changed;
            default:
                return new(ErrorCode.InvalidRequest, $"Config resource type {type} is not supported; Rill alters topics (2) and brokers (4).");
        }
    }
}
