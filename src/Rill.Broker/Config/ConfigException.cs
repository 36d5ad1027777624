namespace Rill.Broker.Config;

/// <summary>A configuration error: an unknown name, a bad value or an inconsistent combination.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string propertyName, string message)
        : base(message)
    {
        PropertyName = propertyName;
    }

    /// <summary>The property the message is about.</summary>
    public string PropertyName { get; }

    internal static ConfigException InvalidValue(string name, string? value, string expected) =>
        new(name, $"Invalid value '{value}' for configuration '{name}': expected {expected}");
}
