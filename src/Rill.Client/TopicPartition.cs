namespace Rill.Client;

/// <summary>A partition of a topic.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>A partition and an offset in it.</summary>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}

/// <summary>Special offsets, as Kafka's ListOffsets uses them.</summary>
public static class Offsets
{
    public const long Latest = -1;
    public const long Earliest = -2;
    public const long Unset = -1001;
}
