using Rill.Protocol;

namespace Rill.Coordination.Groups.Consumer;

/// <summary>States of a KIP-848 consumer group, as Kafka names them.</summary>
public enum ConsumerGroupState
{
    Empty,
    Assigning,
    Reconciling,
    Stable,
    Dead,
}

/// <summary>Where a member is in reconciling its assignment with the group's target.</summary>
internal enum MemberState
{
    /// <summary>Owns its target assignment (as far as other members have released it).</summary>
    Stable,
    /// <summary>Must give up partitions before it moves to the new epoch.</summary>
    UnrevokedPartitions,
    /// <summary>At the new epoch, waiting for other members to release partitions it is due.</summary>
    UnreleasedPartitions,
}

/// <summary>Settings of KIP-848 groups, with Kafka's broker property names in the docs.</summary>
public sealed record ConsumerGroupOptions
{
    /// <summary>group.consumer.session.timeout.ms</summary>
    public int SessionTimeoutMs { get; init; } = 45_000;
    /// <summary>group.consumer.heartbeat.interval.ms</summary>
    public int HeartbeatIntervalMs { get; init; } = 5_000;
    /// <summary>group.consumer.max.size</summary>
    public int MaxSize { get; init; } = int.MaxValue;
    /// <summary>group.consumer.assignors: the first is the default.</summary>
    public IReadOnlyList<string> Assignors { get; init; } = ["uniform", "range"];
    /// <summary>Told of every new target assignment (on the group's executor: keep it short, never block).</summary>
    public Action<GroupRebalance>? Rebalanced { get; init; }
}

/// <summary>One ConsumerGroupHeartbeat request; nullable fields are null when unchanged since the member's last heartbeat.</summary>
public sealed record ConsumerHeartbeat(string GroupId, string MemberId, int MemberEpoch, string? InstanceId, string? RackId,
    int RebalanceTimeoutMs, IReadOnlyList<string>? SubscribedTopicNames, string? SubscribedTopicRegex, string? ServerAssignor,
    IReadOnlySet<TopicIdPartition>? OwnedPartitions, string ClientId, string ClientHost, short ApiVersion);

/// <summary>The answer to a heartbeat; Assignment is null when the member already knows it.</summary>
public sealed record ConsumerHeartbeatResult(ErrorCode Error, string? ErrorMessage, string? MemberId, int MemberEpoch,
    int HeartbeatIntervalMs, IReadOnlySet<TopicIdPartition>? Assignment)
{
    public static ConsumerHeartbeatResult Fail(ErrorCode error, string message, string? memberId = null)
        => new(error, message, memberId, -1, 0, null);
}

public sealed record ConsumerMemberDescription(string MemberId, string? InstanceId, string? RackId, int MemberEpoch, string ClientId,
    string ClientHost, IReadOnlyList<string> SubscribedTopicNames, string? SubscribedTopicRegex,
    IReadOnlySet<TopicIdPartition> Assignment, IReadOnlySet<TopicIdPartition> TargetAssignment);

public sealed record ConsumerGroupDescription(ErrorCode Error, string? ErrorMessage, string GroupId, ConsumerGroupState State,
    int GroupEpoch, int AssignmentEpoch, string AssignorName, IReadOnlyList<ConsumerMemberDescription> Members);

/// <summary>One member of a consumer group. Touched only on the group's executor.</summary>
internal sealed class ConsumerGroupMember
{
    public required string MemberId { get; init; }
    public string? InstanceId { get; set; }
    public string? RackId { get; set; }
    public string ClientId { get; set; } = "";
    public string ClientHost { get; set; } = "";
    public int RebalanceTimeoutMs { get; set; } = 300_000;
    public IReadOnlyList<string> SubscribedTopicNames { get; set; } = [];
    public string? SubscribedTopicRegex { get; set; }
    public string? ServerAssignor { get; set; }
    public int MemberEpoch { get; set; }
    public int PreviousMemberEpoch { get; set; } = -1;
    public MemberState State { get; set; } = MemberState.Stable;
    public HashSet<TopicIdPartition> Assigned { get; set; } = [];
    public HashSet<TopicIdPartition> PendingRevocation { get; set; } = [];
    /// <summary>The assignment last sent to the member (null: never sent).</summary>
    public IReadOnlySet<TopicIdPartition>? LastSent { get; set; }
    /// <summary>A static member that left with epoch -2 and may come back under a new member id.</summary>
    public bool StaticLeaving { get; set; }
    public ITimer? SessionTimer { get; set; }
    public ITimer? RevocationTimer { get; set; }
    /// <summary>The member-metadata and current-assignment values last written (null: never).</summary>
    public byte[]? PersistedMetadata { get; set; }
    public byte[]? PersistedAssignment { get; set; }
}
