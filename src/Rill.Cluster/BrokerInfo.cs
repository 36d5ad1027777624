using System.Text.Json;

namespace Rill.Cluster;

/// <summary>A broker as registered under {prefix}/brokers/{id}: where clients reach it, and its rack.</summary>
public sealed record BrokerInfo(int Id, string Host, int Port, string? Rack)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static BrokerInfo FromJson(byte[] json) => JsonSerializer.Deserialize<BrokerInfo>(json)
        ?? throw new InvalidDataException("empty broker registration");
}

/// <summary>The controller key's value: who holds it and in which controller epoch.</summary>
public sealed record ControllerInfo(int BrokerId, long Epoch)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static ControllerInfo FromJson(byte[] json) => JsonSerializer.Deserialize<ControllerInfo>(json)
        ?? throw new InvalidDataException("empty controller record");
}
