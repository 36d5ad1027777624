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
    /// <summary>A topic's configs.</summary>
    Topic = 2,
    /// <summary>A broker's configs (empty name: the cluster-wide default).</summary>
    Broker = 4,
}

/// <summary>One config entry of a resource.</summary>
public sealed record ConfigEntry(string Name, string? Value, bool IsDefault, bool IsReadOnly, bool IsSensitive, string Source);

/// <summary>IncrementalAlterConfigs operations (wire values).</summary>
public enum AlterConfigOp : sbyte
{
    /// <summary>Sets the value.</summary>
    Set = 0,
    /// <summary>Removes the override (back to the default).</summary>
    Delete = 1,
    /// <summary>Adds items to a list-valued config.</summary>
    Append = 2,
    /// <summary>Removes items from a list-valued config.</summary>
    Subtract = 3,
}

/// <summary>A group as listed.</summary>
public sealed record GroupListing(string GroupId, string ProtocolType, string State);

/// <summary>A member of a described group with its assignment.</summary>
public sealed record GroupMemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string Host, IReadOnlyList<TopicPartition> Assignment);

/// <summary>A group as described.</summary>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<GroupMemberDescription> Members);
