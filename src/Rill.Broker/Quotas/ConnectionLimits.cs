using System.Globalization;
using System.Net;
using Rill.Broker.Config;

namespace Rill.Broker.Quotas;

/// <summary>
/// The connection limits of the broker, read from the current (dynamic) config on every connection:
/// <c>max.connections</c> and <c>listener.name.&lt;l&gt;.max.connections</c>, <c>max.connections.per.ip</c>
/// with <c>max.connections.per.ip.overrides</c> (<c>host:count,...</c>), and
/// <c>max.connection.creation.rate</c> / <c>listener.name.&lt;l&gt;.max.connection.creation.rate</c>.
/// </summary>
internal sealed class ConnectionLimits
{
    private readonly string? _overridesText;

    private ConnectionLimits(BrokerConfig config, string? overridesText, IReadOnlyDictionary<IPAddress, int> overrides)
    {
        Config = config;
        _overridesText = overridesText;
        PerIpOverrides = overrides;
        MaxConnections = Int(config, "max.connections") ?? int.MaxValue;
        MaxConnectionsPerIp = Int(config, "max.connections.per.ip") ?? int.MaxValue;
        MaxCreationRate = Int(config, "max.connection.creation.rate") ?? int.MaxValue;
    }

    public BrokerConfig Config { get; }
    public int MaxConnections { get; }
    public int MaxConnectionsPerIp { get; }
    public int MaxCreationRate { get; }
    public IReadOnlyDictionary<IPAddress, int> PerIpOverrides { get; }

    /// <summary>The limits of <paramref name="config"/>; reuses <paramref name="previous"/>'s parsed overrides when unchanged.</summary>
    public static ConnectionLimits From(BrokerConfig config, ConnectionLimits? previous)
    {
        string? text = config.GetString("max.connections.per.ip.overrides");
        if (previous is not null && ReferenceEquals(previous.Config, config))
        {
            return previous;
        }
        var overrides = previous is not null && previous._overridesText == text ? previous.PerIpOverrides : ParseOverrides(text);
        return new ConnectionLimits(config, text, overrides);
    }

    /// <summary>The per-ip limit for <paramref name="address"/>: its override, else max.connections.per.ip.</summary>
    public int PerIpLimit(IPAddress address) => PerIpOverrides.TryGetValue(address, out int limit) ? limit : MaxConnectionsPerIp;

    /// <summary>listener.name.&lt;listener&gt;.max.connections (Kafka has no broker-wide fallback for the listener limit).</summary>
    public int ListenerMaxConnections(string? listener) => ListenerInt(listener, "max.connections") ?? int.MaxValue;

    public int ListenerMaxCreationRate(string? listener) => ListenerInt(listener, "max.connection.creation.rate") ?? int.MaxValue;

    private int? ListenerInt(string? listener, string name)
    {
        if (listener is null)
        {
            return null;
        }
        string key = "listener.name." + listener.ToLowerInvariant() + "." + name;
        return Config.ExplicitValues.TryGetValue(key, out string? v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : null;
    }

    private static int? Int(BrokerConfig config, string name) =>
        int.TryParse(config.GetString(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : null;

    /// <summary>Parses <c>host:count,host:count</c>; host names are resolved once, as Kafka does when the config is set.</summary>
    public static IReadOnlyDictionary<IPAddress, int> ParseOverrides(string? text)
    {
        var result = new Dictionary<IPAddress, int>();
        foreach (string entry in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = entry.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(entry[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) || count < 0)
            {
                throw new ConfigException("max.connections.per.ip.overrides", $"Invalid entry '{entry}': expected host:count");
            }
            string host = entry[..colon].Trim('[', ']');
            IPAddress[] addresses = IPAddress.TryParse(host, out IPAddress? ip) ? [ip] : Dns.GetHostAddresses(host);
            foreach (IPAddress address in addresses)
            {
                result[Normalize(address)] = count;
            }
        }
        return result;
    }

    /// <summary>IPv4-mapped IPv6 addresses as IPv4, so 127.0.0.1 matches however the socket reports it.</summary>
    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
