namespace Rill.Client;

/// <summary>A partition of a topic.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <summary>topic-partition, as Kafka's tools print it.</summary>
    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>A partition and an offset in it.</summary>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset)
{
    /// <summary>The partition without the offset.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);
}

/// <summary>Special offsets, as Kafka's ListOffsets uses them.</summary>
public static class Offsets
{
    /// <summary>The end of the partition (the next offset to be written).</summary>
    public const long Latest = -1;
    /// <summary>The first offset still in the partition.</summary>
    public const long Earliest = -2;
    /// <summary>No offset: use the committed one, else auto.offset.reset.</summary>
    public const long Unset = -1001;
}
