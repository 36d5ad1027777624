using System.Globalization;

namespace Rill.Broker.Config;

/// <summary>
/// The broker's configuration, with Apache Kafka's property names. Built from a server.properties
/// file plus overrides; unknown names and invalid values fail fast with a message naming the
/// property (and, for unknown names, the closest known one).
/// </summary>
public sealed class BrokerConfig
{
    private readonly Dictionary<string, string> _values;

    private BrokerConfig(Dictionary<string, string> values)
    {
        _values = values;
        NodeId = GetInt("node.id");
        if (_values.ContainsKey("broker.id") && !_values.ContainsKey("node.id"))
        {
            NodeId = GetInt("broker.id");
        }
        Listeners = GetString("listeners")!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => ListenerAddress.Parse(l, "listeners")).ToList();
        if (Listeners.Count == 0)
        {
            throw new ConfigException("listeners must name at least one listener, e.g. PLAINTEXT://127.0.0.1:9092.");
        }
        AdvertisedListeners = (GetString("advertised.listeners") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => ListenerAddress.Parse(l, "advertised.listeners")).ToList();
        string dirs = GetString("log.dirs") ?? GetString("log.dir")!;
        LogDirs = dirs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Path.GetFullPath).ToList();
        if (LogDirs.Count > 1)
        {
            throw new ConfigException("log.dirs: this Rill version keeps data in one directory; name exactly one.");
        }
    }

    /// <summary>Rill's defaults where they differ from Kafka's: loopback listener, data under ./rill-data.</summary>
    private static readonly Dictionary<string, string> RillDefaults = new(StringComparer.Ordinal)
    {
        ["listeners"] = "PLAINTEXT://127.0.0.1:9092",
        ["log.dirs"] = "rill-data",
        ["node.id"] = "1",
    };

    public int NodeId { get; }
    public IReadOnlyList<ListenerAddress> Listeners { get; }
    public IReadOnlyList<ListenerAddress> AdvertisedListeners { get; }
    public IReadOnlyList<string> LogDirs { get; }
    public string? ClusterId => null;
    public int NumPartitions => GetInt("num.partitions");
    public int DefaultReplicationFactor => GetInt("default.replication.factor");
    public bool AutoCreateTopicsEnable => GetBool("auto.create.topics.enable");
    public bool DeleteTopicEnable => GetBool("delete.topic.enable");
    public int MessageMaxBytes => GetInt("message.max.bytes");
    public int SocketRequestMaxBytes => GetInt("socket.request.max.bytes");
    public long LogFlushSchedulerIntervalMs => Math.Min(GetLong("log.flush.scheduler.interval.ms"), 1000);
    public long LogFlushOffsetCheckpointIntervalMs => GetLong("log.flush.offset.checkpoint.interval.ms");

    /// <summary>Properties that were set but that Rill does not act on yet (logged once at start).</summary>
    public IReadOnlyList<string> NotAppliedProperties => _values.Keys
        .Where(k => BrokerConfigCatalog.All.TryGetValue(k, out ConfigDef? d) && !d.Applied && !RillDefaults.ContainsKey(k))
        .Order(StringComparer.Ordinal).ToList();

    /// <summary>The effective value of a property: set value, else Rill's default, else Kafka's default.</summary>
    public string? GetString(string name)
    {
        if (_values.TryGetValue(name, out string? value))
        {
            return value;
        }
        if (RillDefaults.TryGetValue(name, out value))
        {
            return value;
        }
        return BrokerConfigCatalog.All.TryGetValue(name, out ConfigDef? def) ? def.Default : throw new ArgumentException($"Unknown broker property '{name}'.");
    }

    /// <summary>True when the property was set explicitly (file or override).</summary>
    public bool IsSet(string name) => _values.ContainsKey(name);

    public int GetInt(string name) => int.Parse(GetString(name)!.Trim(), CultureInfo.InvariantCulture);
    public long GetLong(string name) => long.Parse(GetString(name)!.Trim(), CultureInfo.InvariantCulture);
    public bool GetBool(string name) => bool.Parse(GetString(name)!.Trim());

    /// <summary>Kafka's resolution of the log retention time: ms, else minutes, else hours.</summary>
    public long LogRetentionMs => IsSet("log.retention.ms") ? GetLong("log.retention.ms")
        : IsSet("log.retention.minutes") ? GetLong("log.retention.minutes") * 60_000
        : GetLong("log.retention.hours") * 3_600_000;

    /// <summary>Kafka's resolution of the segment roll time: log.roll.ms, else log.roll.hours.</summary>
    public long LogRollMs => IsSet("log.roll.ms") ? GetLong("log.roll.ms") : GetLong("log.roll.hours") * 3_600_000;

    /// <summary>log.flush.interval.ms falls back to log.flush.scheduler.interval.ms, as in Kafka.</summary>
    public long LogFlushIntervalMs => IsSet("log.flush.interval.ms") ? GetLong("log.flush.interval.ms") : GetLong("log.flush.scheduler.interval.ms");

    public static BrokerConfig FromProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rawKey, value) in properties)
        {
            string key = rawKey.Trim();
            if (!BrokerConfigCatalog.All.TryGetValue(key, out ConfigDef? def))
            {
                string? suggestion = ClosestName.Find(key, BrokerConfigCatalog.All.Keys);
                throw new ConfigException($"Unknown property '{key}'" + (suggestion is null ? "." : $" (did you mean '{suggestion}'?)"));
            }
            if (def.Validate(value) is { } problem)
            {
                throw new ConfigException($"Invalid value '{value}' for {key}: {problem}.");
            }
            values[key] = value.Trim();
        }
        return new BrokerConfig(values);
    }

    /// <summary>Reads <paramref name="file"/> (if any) and applies <paramref name="overrides"/> on top.</summary>
    public static BrokerConfig Load(string? file, IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var all = new List<KeyValuePair<string, string>>();
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new ConfigException($"Config file '{file}' does not exist.");
            }
            all.AddRange(JavaProperties.Parse(File.ReadAllText(file)));
        }
        all.AddRange(overrides);
        return FromProperties(all);
    }
}
