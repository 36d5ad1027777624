using System.Globalization;
using Rill.Protocol;

namespace Rill.Broker.Admin;

/// <summary>Kafka's ConfigResource types (wire values) that Rill serves.</summary>
internal static class ConfigResourceType
{
    public const sbyte Topic = 2;
    public const sbyte Broker = 4;
    public const sbyte BrokerLogger = 8;
}

/// <summary>What a broker resource name refers to on this node: the cluster default ("") or this broker.</summary>
internal readonly record struct BrokerTarget(bool PerBroker, ErrorCode Error, string? Message)
{
    /// <summary>"" is the cluster-wide default; otherwise the name must be this node's id.</summary>
    public static BrokerTarget Parse(string name, int nodeId)
    {
        if (name.Length == 0)
        {
            return new(false, ErrorCode.None, null);
        }
        if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            return new(false, ErrorCode.InvalidRequest, $"Broker resource name '{name}' is not a broker id.");
        }
        return id == nodeId
            ? new(true, ErrorCode.None, null)
            : new(false, ErrorCode.InvalidRequest, $"Unexpected broker id, expected {nodeId} or empty string, but received {name}.");
    }
}
