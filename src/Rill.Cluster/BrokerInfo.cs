using System.Text.Json;

namespace Rill.Cluster;

/// <summary>One advertised listener of a registered broker: its name (upper case, as in <c>listeners</c>) and address.</summary>
public sealed record BrokerEndpoint(string Listener, string Host, int Port);

/// <summary>
/// A broker as registered under {prefix}/brokers/{id}: its first advertised listener (Host, Port), its rack,
/// and every advertised listener by name (Kafka's endpoints; absent in registrations of older Rill brokers).
/// </summary>
public sealed record BrokerInfo(int Id, string Host, int Port, string? Rack, IReadOnlyList<BrokerEndpoint>? Endpoints = null)
{
    /// <summary>
    /// The address of the named listener; null when the broker registered endpoints but not this one (Kafka leaves
    /// such a broker out of the answer). Without a name, or for a registration without endpoints, the first listener.
    /// </summary>
    public (string Host, int Port)? EndpointFor(string? listener)
    {
        if (listener is null || Endpoints is null)
        {
            return (Host, Port);
        }
        foreach (BrokerEndpoint endpoint in Endpoints)
        {
            if (string.Equals(endpoint.Listener, listener, StringComparison.OrdinalIgnoreCase))
            {
                return (endpoint.Host, endpoint.Port);
            }
        }
        return null;
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static BrokerInfo FromJson(byte[] json) => JsonSerializer.Deserialize<BrokerInfo>(json)
        ?? throw new InvalidDataException("empty broker registration");

    /// <summary>
    /// Value equality including the endpoints' contents (a record compares a list by reference, so a registration
    /// read back from the store would never equal the one in the view: the fast failure detector then never fenced).
    /// </summary>
    public bool Equals(BrokerInfo? other) => other is not null && Id == other.Id && Host == other.Host && Port == other.Port
        && Rack == other.Rack && (ReferenceEquals(Endpoints, other.Endpoints)
            || (Endpoints is not null && other.Endpoints is not null && Endpoints.SequenceEqual(other.Endpoints)));

    public override int GetHashCode() => HashCode.Combine(Id, Host, Port, Rack, Endpoints?.Count ?? -1);
}

/// <summary>The controller key's value: who holds it and in which controller epoch.</summary>
public sealed record ControllerInfo(int BrokerId, long Epoch)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static ControllerInfo FromJson(byte[] json) => JsonSerializer.Deserialize<ControllerInfo>(json)
        ?? throw new InvalidDataException("empty controller record");
}
