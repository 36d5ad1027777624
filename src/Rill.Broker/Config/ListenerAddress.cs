using System.Globalization;

namespace Rill.Broker.Config;

/// <summary>One entry of listeners / advertised.listeners: NAME://host:port.</summary>
public sealed record ListenerAddress(string Name, string Host, int Port)
{
    public static ListenerAddress Parse(string text, string property)
    {
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            throw new ConfigException($"Invalid value '{text}' for {property}: expected NAME://host:port, e.g. PLAINTEXT://127.0.0.1:9092.");
        }
        string name = text[..scheme];
        string hostPort = text[(scheme + 3)..];
        int colon = hostPort.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(hostPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new ConfigException($"Invalid value '{text}' for {property}: expected a port number after the last ':'.");
        }
        string host = hostPort[..colon].Trim('[', ']');
        if (!name.Equals("PLAINTEXT", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigException($"Invalid value '{text}' for {property}: only PLAINTEXT listeners are supported by this Rill version.");
        }
        return new ListenerAddress(name, host, port);
    }
}
