using Rill.Broker.Config;
using Rill.Broker.Topics;

namespace Rill.Broker.Admin;

/// <summary>One value that supplies a config, and where it is set (DescribeConfigs synonyms).</summary>
internal readonly record struct ConfigSynonym(string Name, string? Value, ConfigSource Source);

/// <summary>One config as DescribeConfigs reports it. Sensitive values are null.</summary>
internal sealed record DescribedConfig(string Name, string? Value, ConfigSource Source, bool ReadOnly, bool IsSensitive,
    ConfigType Type, IReadOnlyList<ConfigSynonym> Synonyms, string Documentation);

/// <summary>
/// Builds DescribeConfigs answers from the config catalogues and the broker's config layers, the
/// way Kafka does: a topic config's value is its override, else the broker property it defaults
/// from (retention.ms from log.retention.ms / minutes / hours, ...), else Kafka's default; its
/// synonyms list every place a value is set, most specific first (topic override, dynamic
/// per-broker, dynamic cluster default, static broker config, default); the source is the first.
/// </summary>
internal static class ConfigDescriber
{
    /// <summary>Every current topic config of a topic with these overrides, in name order.</summary>
    public static IEnumerable<DescribedConfig> Topic(IReadOnlyDictionary<string, string> overrides, BrokerConfigLayers layers)
    {
        BrokerConfig broker = layers.Current;
        foreach (TopicConfigDef t in KafkaTopicConfigs.All.Where(t => !t.Def.Removed).OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            bool sensitive = t.Def.IsSensitive;
            var synonyms = new List<ConfigSynonym>();
            if (overrides.TryGetValue(t.Name, out string? own))
            {
                synonyms.Add(new ConfigSynonym(t.Name, sensitive ? null : own, ConfigSource.DynamicTopicConfig));
            }
            if (t.BrokerSynonym is not null)
            {
                synonyms.AddRange(BrokerSynonyms(DynamicBrokerConfigs.SynonymsFrom(t.BrokerSynonym), layers, sensitive));
            }
            string? value = TopicConfig.Effective(t.Name, overrides, broker).Raw;
            ConfigSource source = synonyms.Count > 0 ? synonyms[0].Source : ConfigSource.DefaultConfig;
            yield return new DescribedConfig(t.Name, sensitive ? null : value, source, ReadOnly: false, sensitive, t.Def.Type, synonyms,
                Documentation(t.Def, t.BrokerSynonym is null ? null : $"Defaults to the broker's {t.BrokerSynonym}."));
        }
    }

    /// <summary>Every current broker property of this broker with its effective value, in name order.</summary>
    public static IEnumerable<DescribedConfig> Broker(BrokerConfigLayers layers)
    {
        BrokerConfig broker = layers.Current;
        foreach (ConfigDef def in KafkaBrokerConfigs.All.Where(d => !d.Removed).OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            bool sensitive = def.IsSensitive;
            List<ConfigSynonym> synonyms = BrokerSynonyms(DynamicBrokerConfigs.SynonymsFrom(def.Name), layers, sensitive);
            ConfigSource source = synonyms.Count > 0 && synonyms[0].Name == def.Name ? synonyms[0].Source : ConfigSource.DefaultConfig;
            yield return new DescribedConfig(def.Name, sensitive ? null : broker.GetString(def.Name), source,
                ReadOnly: !DynamicBrokerConfigs.IsDynamic(def.Name), sensitive, def.Type, synonyms, Documentation(def, null));
        }
    }

    /// <summary>The dynamic cluster-wide defaults (broker resource ""): only what has been set.</summary>
    public static IEnumerable<DescribedConfig> ClusterDefaults(BrokerConfigLayers layers)
    {
        foreach (var (name, value) in layers.ClusterDefaults.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            ConfigDef def = KafkaBrokerConfigs.Find(name)!;
            string? shown = def.IsSensitive ? null : value;
            yield return new DescribedConfig(name, shown, ConfigSource.DynamicDefaultBrokerConfig, ReadOnly: false, def.IsSensitive, def.Type,
                [new ConfigSynonym(name, shown, ConfigSource.DynamicDefaultBrokerConfig)], Documentation(def, null));
        }
    }

    private static List<ConfigSynonym> BrokerSynonyms(IReadOnlyList<string> names, BrokerConfigLayers layers, bool sensitive)
    {
        var synonyms = new List<ConfigSynonym>();
        void AddFrom(IReadOnlyDictionary<string, string> layer, ConfigSource source)
        {
            foreach (string name in names)
            {
                if (layer.TryGetValue(name, out string? value))
                {
                    synonyms.Add(new ConfigSynonym(name, sensitive ? null : value, source));
                }
            }
        }
        AddFrom(layers.PerBroker, ConfigSource.DynamicBrokerConfig);
        AddFrom(layers.ClusterDefaults, ConfigSource.DynamicDefaultBrokerConfig);
        AddFrom(layers.Static.ExplicitValues, ConfigSource.StaticBrokerConfig);
        foreach (string name in names)
        {
            if (KafkaBrokerConfigs.Find(name) is { } def && KafkaBrokerConfigs.EffectiveDefault(def) is { } dflt)
            {
                synonyms.Add(new ConfigSynonym(name, sensitive ? null : dflt, ConfigSource.DefaultConfig));
            }
        }
        return synonyms;
    }

    /// <summary>
    /// The catalogues carry Kafka's rules, not its prose: the documentation states the type, the
    /// valid values, the default and whether Rill acts on the config.
    /// </summary>
    private static string Documentation(ConfigDef def, string? inherits)
    {
        string valid = def.ValidValues.Length > 0 ? $" Valid values: {def.ValidValues}." : "";
        string dflt = def.Default is null ? " No default." : $" Kafka's default: {(def.Default.Length == 0 ? "\"\"" : def.Default)}.";
        string applied = def.Applied ? "Rill applies it." : "Rill accepts it but does not act on it yet.";
        string from = inherits is null ? "" : " " + inherits;
        return $"{def.Type}.{valid}{dflt}{from} {applied}";
    }
}
