namespace Rill.Client;

/// <summary>Admin client settings.</summary>
public sealed class AdminClientConfig : ClientConfig
{
}

/// <summary>A topic to create.</summary>
public sealed record NewTopic(string Name, int Partitions = -1, short ReplicationFactor = -1, IReadOnlyDictionary<string, string>? Configs = null);

/// <summary>A topic as described by the cluster.</summary>
public sealed record TopicDescription(string Name, Guid TopicId, bool IsInternal, IReadOnlyList<Network.PartitionMetadata> Partitions);

/// <summary>The cluster: id, controller and brokers.</summary>
public sealed record ClusterDescription(string? ClusterId, int ControllerId, IReadOnlyList<Network.BrokerNode> Brokers);

/// <summary>Config resource types (wire values).</summary>
public enum ConfigResourceType : sbyte
{
    Topic = 2,
    Broker = 4,
}

/// <summary>One config entry of a resource.</summary>
public sealed record ConfigEntry(string Name, string? Value, bool IsDefault, bool IsReadOnly, bool IsSensitive, string Source);

/// <summary>IncrementalAlterConfigs operations (wire values).</summary>
public enum AlterConfigOp : sbyte
{
    Set = 0,
    Delete = 1,
    Append = 2,
    Subtract = 3,
}

/// <summary>A group as listed.</summary>
public sealed record GroupListing(string GroupId, string ProtocolType, string State);

/// <summary>A member of a described group with its assignment.</summary>
public sealed record GroupMemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string Host, IReadOnlyList<TopicPartition> Assignment);

/// <summary>A group as described.</summary>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<GroupMemberDescription> Members);
