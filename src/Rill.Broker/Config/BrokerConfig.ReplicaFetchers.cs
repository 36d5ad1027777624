namespace Rill.Broker.Config;

public sealed partial class BrokerConfig
{
    /// <summary>num.replica.fetchers: fetchers (connections) per source broker; a followed partition goes to one of them by its hash.</summary>
    public int NumReplicaFetchers => GetInt("num.replica.fetchers");

    /// <summary>replica.fetch.backoff.ms: the pause after a failed fetch (connection or partition error).</summary>
    public int ReplicaFetchBackoffMs => GetInt("replica.fetch.backoff.ms");

    /// <summary>replica.fetch.max.bytes: a follower fetch's partition_max_bytes (the first batch is returned whole even when larger).</summary>
    public int ReplicaFetchMaxBytes => GetInt("replica.fetch.max.bytes");

    /// <summary>replica.fetch.response.max.bytes: a follower fetch's max_bytes for the whole response.</summary>
    public int ReplicaFetchResponseMaxBytes => GetInt("replica.fetch.response.max.bytes");

    /// <summary>replica.fetch.wait.max.ms: how long the leader may park a follower fetch that has less than replica.fetch.min.bytes.</summary>
    public int ReplicaFetchWaitMaxMs => GetInt("replica.fetch.wait.max.ms");

    /// <summary>replica.fetch.min.bytes: the bytes a follower fetch waits for (up to replica.fetch.wait.max.ms).</summary>
    public int ReplicaFetchMinBytes => GetInt("replica.fetch.min.bytes");
}
