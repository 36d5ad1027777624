namespace Rill.Client.Network;

/// <summary>What the cluster said about a topic: its partitions and their leaders.</summary>
public sealed record TopicMetadata(string Name, Guid TopicId, bool IsInternal, IReadOnlyList<PartitionMetadata> Partitions);

/// <summary>One partition: leader (-1 when none), leader epoch, replicas and in-sync replicas.</summary>
public sealed record PartitionMetadata(int Partition, int Leader, int LeaderEpoch, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr);

/// <summary>A broker's address.</summary>
public sealed record BrokerNode(int NodeId, string Host, int Port, string? Rack);
