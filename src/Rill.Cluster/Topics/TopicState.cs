using System.Text.Json;

namespace Rill.Cluster.Topics;

/// <summary>
/// One partition's assignment and state as kept in the store: its replicas (the first is the preferred
/// leader), the current leader (-1: offline), the leader epoch (bumped on every leader change) and the
/// in-sync replicas. During a reassignment (KIP-455) <see cref="Replicas"/> is the target followed by the
/// replicas being removed, and <see cref="AddingReplicas"/> / <see cref="RemovingReplicas"/> name the two
/// differences (null when no reassignment is in progress); see <see cref="PartitionReassignment"/>.
/// </summary>
public sealed record PartitionState(int[] Replicas, int Leader, int LeaderEpoch, int[] Isr, int[]? AddingReplicas = null, int[]? RemovingReplicas = null)
{
    public bool IsHostedBy(int broker) => Array.IndexOf(Replicas, broker) >= 0;
    public bool InIsr(int broker) => Array.IndexOf(Isr, broker) >= 0;

    /// <summary>The first replica of the assignment (of the target during a reassignment), Kafka's preferred leader.</summary>
    public int PreferredLeader => Replicas.Length > 0 ? Replicas[0] : -1;

    public bool IsReassigning => AddingReplicas is { Length: > 0 } || RemovingReplicas is { Length: > 0 };
}

/// <summary>A topic under {prefix}/topics/{name}: id, config overrides and every partition's state (one key, one revision).</summary>
public sealed record TopicState(string Name, Guid Id, Dictionary<string, string> Configs, PartitionState[] Partitions)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static TopicState FromJson(byte[] json) => JsonSerializer.Deserialize<TopicState>(json)
        ?? throw new InvalidDataException("empty topic record");

    /// <summary>A copy with partition <paramref name="index"/> replaced.</summary>
    public TopicState With(int index, PartitionState partition)
    {
        var partitions = (PartitionState[])Partitions.Clone();
        partitions[index] = partition;
        return this with { Partitions = partitions };
    }
}

/// <summary>A topic as read from the store, with the mod revision a compare-and-swap must name.</summary>
public sealed record VersionedTopic(TopicState State, long ModRevision);
