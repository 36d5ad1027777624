using Rill.Protocol;

namespace Rill.Coordination.Groups;

/// <summary>Classic group states, as Kafka names them.</summary>
public enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

/// <summary>Settings of the group coordinator, with Kafka's broker property names in the docs.</summary>
public sealed record GroupCoordinatorOptions
{
    /// <summary>group.min.session.timeout.ms</summary>
    public int MinSessionTimeoutMs { get; init; } = 6000;
    /// <summary>group.max.session.timeout.ms</summary>
    public int MaxSessionTimeoutMs { get; init; } = 1_800_000;
    /// <summary>group.initial.rebalance.delay.ms: how long a new group waits for more members.</summary>
    public int InitialRebalanceDelayMs { get; init; } = 3000;
    /// <summary>group.max.size</summary>
    public int MaxSize { get; init; } = int.MaxValue;
    /// <summary>Told of every completed rebalance (on the group's executor: keep it short, never block).</summary>
    public Action<GroupRebalance>? Rebalanced { get; init; }
}

public sealed record JoinProtocol(string Name, ReadOnlyMemory<byte> Metadata);

public sealed record JoinRequest(string GroupId, string MemberId, string? GroupInstanceId, string ClientId, string ClientHost,
    int SessionTimeoutMs, int RebalanceTimeoutMs, string ProtocolType, IReadOnlyList<JoinProtocol> Protocols, bool RequireKnownMemberId);

public sealed record JoinMember(string MemberId, string? GroupInstanceId, ReadOnlyMemory<byte> Metadata);

public sealed record JoinResult(ErrorCode Error, int GenerationId, string? ProtocolType, string? ProtocolName, string Leader,
    string MemberId, IReadOnlyList<JoinMember> Members)
{
    public static JoinResult Fail(ErrorCode error, string memberId = "") => new(error, -1, null, null, "", memberId, []);
}

public sealed record SyncResult(ErrorCode Error, string? ProtocolType, string? ProtocolName, ReadOnlyMemory<byte> Assignment);

public sealed record DescribedMember(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost,
    ReadOnlyMemory<byte> Metadata, ReadOnlyMemory<byte> Assignment);

public sealed record GroupDescription(ErrorCode Error, string GroupId, GroupState State, string ProtocolType, string Protocol,
    IReadOnlyList<DescribedMember> Members)
{
    public string? ErrorMessage { get; init; }
}

public readonly record struct CommittedOffset(long Offset, int LeaderEpoch, string? Metadata, long CommitTimestamp);
