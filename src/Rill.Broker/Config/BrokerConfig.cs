namespace Rill.Broker.Config;

/// <summary>One broker property as DescribeConfigs shows it. Sensitive values are null.</summary>
public sealed record BrokerConfigEntry(string Name, string? Value, bool IsDefault, bool IsSensitive);

/// <summary>
/// The broker's configuration, under Apache Kafka's property names: built from a server.properties
/// file plus <c>--set key=value</c> overrides, validated up front (unknown names, bad values and
/// inconsistent listeners throw <see cref="ConfigException"/>), with typed accessors for what
/// the broker uses.
/// </summary>
public sealed partial class BrokerConfig
{
    private readonly Dictionary<string, string> _explicit;
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    private BrokerConfig(Dictionary<string, string> explicitValues)
    {
        _explicit = explicitValues;
        foreach (ConfigDef def in KafkaBrokerConfigs.All)
        {
            string? raw = explicitValues.TryGetValue(def.Name, out string? set) ? set : KafkaBrokerConfigs.EffectiveDefault(def);
            _values[def.Name] = def.Parse(raw);
        }

        ResolveDerived();
    }

    /// <summary>All defaults (Rill's where they differ from Kafka's).</summary>
    public static BrokerConfig Default { get; } = FromProperties([]);

    /// <summary>Builds a config from name/value pairs (later pairs win). Throws <see cref="ConfigException"/>.</summary>
    public static BrokerConfig FromProperties(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string rawKey, string value) in properties)
        {
            string key = rawKey.Trim();
            CheckKnown(key);
            values[key] = KafkaBrokerConfigs.Find(key) is { Type: ConfigType.Password } ? value : value.Trim(); // Kafka trims all but passwords
        }

        return new BrokerConfig(values);
    }

    /// <summary>
    /// What <c>rill serve [--config file] [--set k=v ...]</c> does: the file (if any) first, then each
    /// override in order (see <see cref="ParseSetArgument"/>). Throws <see cref="ConfigException"/>.
    /// </summary>
    public static BrokerConfig Load(string? propertiesPath, IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (propertiesPath is not null)
        {
            if (!File.Exists(propertiesPath))
            {
                throw new ConfigException("--config", $"Configuration file '{propertiesPath}' does not exist");
            }

            pairs.AddRange(JavaProperties.Load(propertiesPath));
        }

        pairs.AddRange(overrides);
        return FromProperties(pairs);
    }

    /// <summary>Splits a <c>--set</c> argument at its first '='; the value may contain '='.</summary>
    public static KeyValuePair<string, string> ParseSetArgument(string argument)
    {
        int eq = argument.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ConfigException("--set", $"Invalid --set argument '{argument}': expected key=value");
        }

        return new KeyValuePair<string, string>(argument[..eq].Trim(), argument[(eq + 1)..].Trim());
    }

    /// <summary>True if <paramref name="name"/> is a Kafka broker property (or under a free-form prefix such as listener.name.).</summary>
    public static bool IsKnown(string name) =>
        KafkaBrokerConfigs.Find(name) is not null
        || KafkaBrokerConfigs.OpenPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal) && name.Length > p.Length);

    private static void CheckKnown(string name)
    {
        if (!IsKnown(name))
        {
            throw new ConfigException(name, NameSuggester.UnknownMessage("property", name, KafkaBrokerConfigs.All.Select(d => d.Name)));
        }
    }

    /// <summary>The values given explicitly (file and overrides), by name.</summary>
    public IReadOnlyDictionary<string, string> ExplicitValues => _explicit;

    /// <summary>True if the property was given explicitly.</summary>
    public bool IsSet(string name) => _explicit.ContainsKey(name);

    /// <summary>The effective value as a string (explicit, else default); null when Kafka has no default.</summary>
    public string? GetString(string name)
    {
        if (_explicit.TryGetValue(name, out string? v))
        {
            return v;
        }

        ConfigDef def = KafkaBrokerConfigs.Find(name) ?? throw new ConfigException(name, $"Unknown property '{name}'");
        return KafkaBrokerConfigs.EffectiveDefault(def);
    }

    // Parsed values by name: only for the typed properties (BrokerConfig.Typed.cs). The broker reads a setting
    // through its typed property; names as strings are for DescribeConfigs (GetString) and validation.
    private object? GetValue(string name) =>
        _values.TryGetValue(name, out object? v) ? v : throw new ConfigException(name, $"Unknown property '{name}'");

    private int GetInt(string name) => Convert.ToInt32(GetValue(name) ?? throw NoValue(name), System.Globalization.CultureInfo.InvariantCulture);

    private long GetLong(string name) => Convert.ToInt64(GetValue(name) ?? throw NoValue(name), System.Globalization.CultureInfo.InvariantCulture);

    private bool GetBool(string name) => (bool)(GetValue(name) ?? throw NoValue(name));

    private IReadOnlyList<string> GetList(string name) => (IReadOnlyList<string>?)GetValue(name) ?? [];

    /// <summary>Explicitly set properties that Kafka knows but Rill does not act on, sorted by name (logged once at start).</summary>
    public IReadOnlyList<string> NotAppliedProperties =>
        _explicit.Keys
            .Where(k => KafkaBrokerConfigs.Find(k) is not { Applied: true })
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>One log line for the server to print at start, or null when everything set is applied.</summary>
    public string? NotAppliedMessage()
    {
        IReadOnlyList<string> names = NotAppliedProperties;
        return names.Count == 0 ? null : "Kafka properties accepted but not applied by Rill: " + string.Join(", ", names);
    }

    /// <summary>Every catalogue property with its effective value, for DescribeConfigs on the broker resource.</summary>
    public IEnumerable<BrokerConfigEntry> Entries()
    {
        foreach (ConfigDef def in KafkaBrokerConfigs.All)
        {
            if (def.Removed)
            {
                continue;
            }

            yield return new BrokerConfigEntry(def.Name, def.IsSensitive ? null : GetString(def.Name), !IsSet(def.Name), def.IsSensitive);
        }
    }

    private static ConfigException NoValue(string name) => new(name, $"Property '{name}' has no value and no default");
}
