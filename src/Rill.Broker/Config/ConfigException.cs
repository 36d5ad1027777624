namespace Rill.Broker.Config;

/// <summary>A broker or topic property that is unknown or has an invalid value. The message names the property.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message) : base(message)
    {
    }
}
