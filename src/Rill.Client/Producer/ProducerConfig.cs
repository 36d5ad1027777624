using Rill.Protocol.Compression;

namespace Rill.Client;

/// <summary>acks: how many replicas must have a record before the broker answers.</summary>
public enum Acks : short
{
    /// <summary>acks=0: the broker does not answer; fastest, records may be lost.</summary>
    None = 0,
    /// <summary>acks=1: the leader has written the record.</summary>
    Leader = 1,
    /// <summary>acks=all: every in-sync replica has the record (the default, needed for idempotence).</summary>
    All = -1,
}

/// <summary>Producer settings, with Kafka's names and defaults (Java client 3.x / 4.x).</summary>
public sealed class ProducerConfig : ClientConfig
{
    /// <summary>acks (default all).</summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary>enable.idempotence: null means on unless acks is not all (as the Java client decides).</summary>
    public bool? EnableIdempotence { get; set; }

    /// <summary>linger.ms</summary>
    public int LingerMs { get; set; } = 5;

    /// <summary>batch.size (bytes of records per partition batch).</summary>
    public int BatchSize { get; set; } = 16_384;

    /// <summary>buffer.memory: bytes of unsent batches before Produce blocks.</summary>
    public long BufferMemory { get; set; } = 32 * 1024 * 1024;

    /// <summary>max.block.ms: how long Produce waits for metadata or buffer space.</summary>
    public int MaxBlockMs { get; set; } = 60_000;

    /// <summary>compression.type</summary>
    public CompressionType CompressionType { get; set; } = CompressionType.None;

    /// <summary>retries</summary>
    public int Retries { get; set; } = int.MaxValue;

    /// <summary>delivery.timeout.ms: a record not acknowledged within this fails.</summary>
    public int DeliveryTimeoutMs { get; set; } = 120_000;

    /// <summary>max.in.flight.requests.per.connection (at most 5 with idempotence).</summary>
    public int MaxInFlightRequestsPerConnection { get; set; } = 5;

    /// <summary>
    /// max.request.size: the largest Produce request the producer sends. A record that cannot fit
    /// (its batch plus the request's framing) fails with MESSAGE_TOO_LARGE before it is queued;
    /// batches bound for one broker are split across requests to stay under it, and batch.size is
    /// capped by it.
    /// </summary>
    public int MaxRequestSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// transactional.id: makes the producer transactional (InitTransactionsAsync, BeginTransaction,
    /// CommitTransactionAsync, ...). Needs idempotence; a new producer with the same id fences the old one.
    /// </summary>
    public string? TransactionalId { get; set; }

    /// <summary>transaction.timeout.ms: the coordinator aborts a transaction left open longer (default 60 s).</summary>
    public int TransactionTimeoutMs { get; set; } = 60_000;

    internal bool IdempotenceEnabled
    {
        get
        {
            if (EnableIdempotence == true && Acks != Acks.All)
            {
                throw new ArgumentException("enable.idempotence=true needs acks=all.");
            }
            if (TransactionalId is not null && (EnableIdempotence == false || Acks != Acks.All))
            {
                throw new ArgumentException("transactional.id needs enable.idempotence=true and acks=all.");
            }
            return EnableIdempotence ?? Acks == Acks.All;
        }
    }

    /// <summary>Parses Kafka's names for compression.type (none, gzip, snappy, lz4, zstd).</summary>
    public static CompressionType ParseCompression(string name) => name.ToLowerInvariant() switch
    {
        "none" or "" => CompressionType.None,
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => throw new ArgumentException($"Unknown compression codec '{name}' (none, gzip, snappy, lz4, zstd)."),
    };
}
