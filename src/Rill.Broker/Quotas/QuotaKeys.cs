namespace Rill.Broker.Quotas;

/// <summary>The quota configs Kafka knows (QuotaConfigs), which entity types take them, and whether they are whole numbers.</summary>
internal static class QuotaKeys
{
    public const string ProducerByteRate = "producer_byte_rate";
    public const string ConsumerByteRate = "consumer_byte_rate";
    public const string RequestPercentage = "request_percentage";
    public const string ControllerMutationRate = "controller_mutation_rate";
    public const string ConnectionCreationRate = "connection_creation_rate";

    /// <summary>Keys valid for user / client-id entities.</summary>
    public static readonly IReadOnlySet<string> ClientKeys = new HashSet<string>(StringComparer.Ordinal)
        { ProducerByteRate, ConsumerByteRate, RequestPercentage, ControllerMutationRate };

    /// <summary>Keys valid for ip entities.</summary>
    public static readonly IReadOnlySet<string> IpKeys = new HashSet<string>(StringComparer.Ordinal) { ConnectionCreationRate };

    /// <summary>producer_byte_rate and consumer_byte_rate are LONG, connection_creation_rate INT; the others DOUBLE.</summary>
    public static bool IsWholeNumber(string key) => key is ProducerByteRate or ConsumerByteRate or ConnectionCreationRate;
}
