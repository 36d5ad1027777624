namespace Rill.Broker.Config;

/// <summary>Value types of Apache Kafka's ConfigDef, with the same parsing rules.</summary>
public enum ConfigType
{
    Boolean,
    Short,
    Int,
    Long,
    Double,
    String,
    List,
    Password,
    Class,
}

/// <summary>
/// One entry of a configuration catalogue: Kafka's name, type, default (null when Kafka has none)
/// and valid values in Kafka's notation (see <see cref="ConfigValidator"/>), plus whether Rill acts
/// on it. <see cref="Removed"/> marks names Kafka 3.x knew but 4.0 dropped: accepted so an old
/// server.properties still starts, never applied. <see cref="Dynamic"/>: AlterConfigs and
/// IncrementalAlterConfigs may change it at run time (every topic config; the broker properties Kafka's
/// dynamic update modes allow, see <see cref="KafkaBrokerConfigs"/>).
/// </summary>
public sealed record ConfigDef(string Name, ConfigType Type, string? Default, string ValidValues, bool Applied, bool Removed = false,
    bool Dynamic = false)
{
    /// <summary>True for password-typed entries: their values are never printed.</summary>
    public bool IsSensitive => Type == ConfigType.Password;

    /// <summary>Parses and validates <paramref name="value"/>; throws <see cref="ConfigException"/> naming this config.</summary>
    public object? Parse(string? value) => ConfigValidator.ParseAndValidate(this, value);

    /// <summary>Parses <paramref name="value"/> as this config's type without checking its valid values.</summary>
    internal object? ParseTypeOnly(string? value) => value is null ? null : ConfigValidator.ParseType(this, value);
}
