using Rill.Broker.Config;

namespace Rill.Broker.Security;

/// <summary>
/// Reads a security property for one listener as Kafka does: <c>listener.name.&lt;listener&gt;.&lt;name&gt;</c>
/// (listener name in lower case) first, then the broker-wide <c>&lt;name&gt;</c>.
/// </summary>
internal sealed class ListenerProperties
{
    private readonly BrokerConfig _config;
    private readonly string _prefix;

    public ListenerProperties(BrokerConfig config, string listenerName)
    {
        _config = config;
        _prefix = "listener.name." + listenerName.ToLowerInvariant() + ".";
    }

    public string? Get(string name)
    {
        if (_config.ExplicitValues.TryGetValue(_prefix + name, out string? specific))
        {
            return specific;
        }
        return KafkaBrokerConfigs.Find(name) is not null ? _config.GetString(name) : _config.ExplicitValues.GetValueOrDefault(name);
    }

    /// <summary>Only the listener-prefixed value (for settings Kafka reads per listener and mechanism).</summary>
    public string? GetListenerOnly(string name) => _config.ExplicitValues.GetValueOrDefault(_prefix + name);

    public IReadOnlyList<string> GetList(string name) =>
        (Get(name) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
