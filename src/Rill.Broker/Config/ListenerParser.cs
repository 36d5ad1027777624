using System.Globalization;

namespace Rill.Broker.Config;

/// <summary>Parses listeners, advertised.listeners and listener.security.protocol.map.</summary>
internal static class ListenerParser
{
    private static readonly string[] Protocols = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

    public static Dictionary<string, string> ParseProtocolMap(string value)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in ConfigValidator.SplitList(value))
        {
            int colon = entry.IndexOf(':', StringComparison.Ordinal);
            string name = colon > 0 ? entry[..colon].Trim().ToUpperInvariant() : "";
            string protocol = colon > 0 ? entry[(colon + 1)..].Trim().ToUpperInvariant() : "";
            if (name.Length == 0 || !Protocols.Contains(protocol))
            {
                throw ConfigException.InvalidValue("listener.security.protocol.map", value,
                    "NAME:PROTOCOL pairs separated by commas, PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
            }

            if (!map.TryAdd(name, protocol))
            {
                throw new ConfigException("listener.security.protocol.map", $"Listener name '{name}' appears twice in listener.security.protocol.map");
            }
        }

        return map;
    }

    public static List<ListenerAddress> Parse(string property, string value, IReadOnlyDictionary<string, string> protocolMap)
    {
        var endpoints = new List<ListenerAddress>();
        foreach (string entry in ConfigValidator.SplitList(value))
        {
            endpoints.Add(ParseOne(property, value, entry, protocolMap));
        }

        return endpoints;
    }

    private static ListenerAddress ParseOne(string property, string value, string entry, IReadOnlyDictionary<string, string> protocolMap)
    {
        const string Expected = "NAME://host:port entries separated by commas, e.g. PLAINTEXT://127.0.0.1:9092";
        int sep = entry.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0)
        {
            throw ConfigException.InvalidValue(property, value, Expected);
        }

        string name = entry[..sep].ToUpperInvariant();
        string rest = entry[(sep + 3)..];
        int portSep = rest.LastIndexOf(':');
        if (portSep < 0 || !int.TryParse(rest[(portSep + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw ConfigException.InvalidValue(property, value, Expected + " (port 0-65535)");
        }

        string host = rest[..portSep];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            throw ConfigException.InvalidValue(property, value, Expected + " (IPv6 hosts in brackets)");
        }

        if (!protocolMap.TryGetValue(name, out string? protocol))
        {
            throw new ConfigException(property,
                $"Listener '{name}' in {property} has no security protocol: add it to listener.security.protocol.map (e.g. {name}:PLAINTEXT)");
        }

        return new ListenerAddress(name, host, port) { SecurityProtocol = protocol };
    }
}
