namespace Rill.Client;

/// <summary>Settings every client shares. Names follow Kafka's client properties.</summary>
public partial class ClientConfig
{
    /// <summary>bootstrap.servers: "host:port[,host:port...]".</summary>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>client.id</summary>
    public string ClientId { get; set; } = "rill-client";

    /// <summary>request.timeout.ms</summary>
    public int RequestTimeoutMs { get; set; } = 30_000;

    /// <summary>socket.connection.setup.timeout.ms</summary>
    public int ConnectTimeoutMs { get; set; } = 10_000;

    /// <summary>reconnect.backoff.ms: first wait before reconnecting to a broker that failed.</summary>
    public int ReconnectBackoffMs { get; set; } = 50;

    /// <summary>reconnect.backoff.max.ms: the backoff doubles up to this.</summary>
    public int ReconnectBackoffMaxMs { get; set; } = 1000;

    /// <summary>retry.backoff.ms</summary>
    public int RetryBackoffMs { get; set; } = 100;

    /// <summary>metadata.max.age.ms</summary>
    public int MetadataMaxAgeMs { get; set; } = 300_000;

    /// <summary>allow.auto.create.topics (sent with metadata requests).</summary>
    public bool AllowAutoCreateTopics { get; set; } = true;

    internal IReadOnlyList<(string Host, int Port)> ParseBootstrap()
    {
        var list = new List<(string, int)>();
        foreach (string part in BootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part.AsSpan(colon + 1), out int port))
            {
                throw new ArgumentException($"bootstrap.servers entry '{part}' is not host:port.");
            }
            list.Add((part[..colon], port));
        }
        if (list.Count == 0)
        {
            throw new ArgumentException("bootstrap.servers is empty.");
        }
        return list;
    }
}
