using Rill.Broker.Config;
using Rill.Server.Http;

namespace Rill.Server;

/// <summary>
/// Reads server.properties and --set overrides, then splits Rill's own <c>rill.*</c> properties
/// (HTTP listener, OTLP, log format) from Kafka's broker properties.
/// </summary>
internal static class ServerProperties
{
    public static (RillServerOptions Rill, BrokerConfig Kafka) Load(string? propertiesPath, IEnumerable<KeyValuePair<string, string>> overrides)
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
        var (rill, kafka) = RillServerOptions.Split(pairs);
        return (rill, BrokerConfig.FromProperties(kafka));
    }
}
