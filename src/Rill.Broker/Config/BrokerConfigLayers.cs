using System.Text.Json;
using System.Text.Json.Serialization;
using Rill.Protocol;

namespace Rill.Broker.Config;

/// <summary>Outcome of a dynamic broker config change (or of its validation).</summary>
internal readonly record struct ConfigChangeResult(ErrorCode Error, string? Message)
{
    public static ConfigChangeResult Ok => new(ErrorCode.None, null);
}

/// <summary>
/// The broker's configuration as Kafka layers it: dynamic per-broker values (AlterConfigs on
/// broker "&lt;node.id&gt;") over dynamic cluster defaults (broker "") over the static config
/// (server.properties and <c>--set</c>) over the defaults. <see cref="Current"/> is the merged
/// view the broker resolves topic defaults from; it is replaced, never mutated, on each change.
/// The two dynamic layers persist in <c>rill-broker-configs.json</c> in the log dir.
/// </summary>
internal sealed class BrokerConfigLayers
{
    public const string FileName = "rill-broker-configs.json";
    private static readonly Dictionary<string, string> Empty = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private volatile State _state;
    private string? _path;

    public BrokerConfigLayers(BrokerConfig staticConfig)
    {
        Static = staticConfig;
        _state = new State(Empty, Empty, staticConfig);
    }

    /// <summary>server.properties and <c>--set</c>, as the broker started.</summary>
    public BrokerConfig Static { get; }

    /// <summary>All layers merged.</summary>
    public BrokerConfig Current => _state.Merged;

    /// <summary>Dynamic values for the whole cluster (broker resource "").</summary>
    public IReadOnlyDictionary<string, string> ClusterDefaults => _state.ClusterDefaults;

    /// <summary>Dynamic values for this broker (broker resource "&lt;node.id&gt;").</summary>
    public IReadOnlyDictionary<string, string> PerBroker => _state.PerBroker;

    /// <summary>One layer: this broker's or the cluster default's.</summary>
    public IReadOnlyDictionary<string, string> Layer(bool perBroker) => perBroker ? PerBroker : ClusterDefaults;

    /// <summary>
    /// Reads the dynamic layers from <paramref name="logDir"/>. A stored value that is no longer
    /// valid (a property made read-only, a value the static config now contradicts) is dropped with
    /// a warning rather than stopping the broker.
    /// </summary>
    public void Load(string logDir, Action<string> warn)
    {
        _path = Path.Combine(logDir, FileName);
        if (!File.Exists(_path))
        {
            return;
        }
        BrokerConfigsFile file;
        using (FileStream stream = File.OpenRead(_path))
        {
            file = JsonSerializer.Deserialize(stream, BrokerConfigsJson.Default.BrokerConfigsFile)
                ?? throw new InvalidDataException($"{_path} is empty.");
        }
        if (file.Version != 1)
        {
            throw new InvalidDataException($"{_path} has version {file.Version}; this Rill reads version 1.");
        }
        string node = Static.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Dictionary<string, string> defaults = Clean(file.ClusterDefaults ?? [], "cluster default", warn);
        Dictionary<string, string> mine = Clean(file.Brokers?.GetValueOrDefault(node) ?? [], $"broker {node}", warn);
        try
        {
            _state = new State(defaults, mine, Merge(defaults, mine));
        }
        catch (ConfigException e)
        {
            warn($"Dynamic broker configs in {_path} no longer combine with the static config ({e.Message}); they are ignored.");
        }
    }

    private static Dictionary<string, string> Clean(Dictionary<string, string> stored, string layer, Action<string> warn)
    {
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in stored)
        {
            string? problem = Check(name, value);
            if (problem is null)
            {
                kept[name] = value;
            }
            else
            {
                warn($"Dynamic broker config {name}={value} ({layer}) is ignored: {problem}");
            }
        }
        return kept;
    }

    private static string? Check(string name, string value)
    {
        if (!DynamicBrokerConfigs.IsDynamic(name))
        {
            return "it cannot be changed dynamically";
        }
        try
        {
            KafkaBrokerConfigs.Find(name)!.Parse(value);
            return null;
        }
        catch (ConfigException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Replaces one dynamic layer with what <paramref name="update"/> computes from the current
    /// one, after checking every name (known, dynamic) and value (valid, consistent with the other
    /// layers). With <paramref name="validateOnly"/> nothing changes. On success the layer is
    /// persisted and <see cref="Current"/> replaced; <paramref name="applied"/> is true then.
    /// </summary>
    public ConfigChangeResult TryUpdate(bool perBroker,
        Func<IReadOnlyDictionary<string, string>, (Dictionary<string, string>? Layer, ConfigChangeResult Result)> update,
        bool validateOnly, out bool applied)
    {
        applied = false;
        lock (_lock)
        {
            State state = _state;
            var (layer, result) = update(perBroker ? state.PerBroker : state.ClusterDefaults);
            if (layer is null)
            {
                return result;
            }

            foreach (var (name, value) in layer)
            {
                if (KafkaBrokerConfigs.Find(name) is null)
                {
                    return new(ErrorCode.InvalidConfig, NameSuggester.UnknownMessage("broker config", name, KafkaBrokerConfigs.All.Select(d => d.Name)));
                }
                if (!DynamicBrokerConfigs.IsDynamic(name))
                {
                    return new(ErrorCode.InvalidRequest, $"Cannot update these configs dynamically: [{name}]");
                }
                try
                {
                    KafkaBrokerConfigs.Find(name)!.Parse(value);
                }
                catch (ConfigException e)
                {
                    return new(ErrorCode.InvalidConfig, e.Message);
                }
            }

            Dictionary<string, string> defaults = perBroker ? new(state.ClusterDefaults, StringComparer.Ordinal) : layer;
            Dictionary<string, string> mine = perBroker ? layer : new(state.PerBroker, StringComparer.Ordinal);
            BrokerConfig merged;
            try
            {
                merged = Merge(defaults, mine);
                // Topic configs default from these values and have their own ranges (flush.ms >= 0, ...):
                // a broker value no topic could take is refused here rather than failing in the logs.
                TopicConfig.Create(merged);
            }
            catch (ConfigException e)
            {
                return new(ErrorCode.InvalidConfig, e.Message);
            }
            if (validateOnly)
            {
                return ConfigChangeResult.Ok;
            }

            Save(defaults, mine);
            _state = new State(defaults, mine, merged);
            applied = true;
            return ConfigChangeResult.Ok;
        }
    }

    private BrokerConfig Merge(Dictionary<string, string> defaults, Dictionary<string, string> perBroker)
    {
        if (defaults.Count == 0 && perBroker.Count == 0)
        {
            return Static;
        }
        var pairs = new List<KeyValuePair<string, string>>(Static.ExplicitValues);
        pairs.AddRange(defaults);
        pairs.AddRange(perBroker);
        return BrokerConfig.FromProperties(pairs);
    }

    private void Save(Dictionary<string, string> defaults, Dictionary<string, string> perBroker)
    {
        if (_path is null)
        {
            return; // not loaded from a directory (unit tests)
        }
        string node = Static.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var file = new BrokerConfigsFile(1, new(defaults, StringComparer.Ordinal),
            new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal) { [node] = new(perBroker, StringComparer.Ordinal) });
        string temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, file, BrokerConfigsJson.Default.BrokerConfigsFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }

    private sealed record State(Dictionary<string, string> ClusterDefaults, Dictionary<string, string> PerBroker, BrokerConfig Merged);
}

internal sealed record BrokerConfigsFile(int Version, Dictionary<string, string>? ClusterDefaults,
    Dictionary<string, Dictionary<string, string>>? Brokers);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BrokerConfigsFile))]
internal sealed partial class BrokerConfigsJson : JsonSerializerContext;
