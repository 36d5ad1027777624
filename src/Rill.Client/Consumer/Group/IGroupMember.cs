using Rill.Client.Network;

namespace Rill.Client.Consuming;

/// <summary>What the consumer needs from its group membership, classic or KIP-848.</summary>
internal interface IGroupMember
{
    string MemberId { get; }

    /// <summary>The generation (classic) or member epoch (KIP-848) offset commits carry; -1 when not in the group.</summary>
    int Generation { get; }

    /// <summary>True when the consumer should (re)compute its assignment through <see cref="JoinAsync"/>.</summary>
    bool RejoinNeeded { get; }

    /// <summary>True for incremental (cooperative) reassignment: only moved partitions are revoked.</summary>
    bool Cooperative { get; }

    /// <summary>True once after the session was lost (partitions lost, not revoked).</summary>
    bool TakeLost();

    void RequestRejoin();

    Task<List<TopicPartition>> JoinAsync(IReadOnlyList<string> topics, IReadOnlyList<TopicPartition> owned, CancellationToken cancellationToken);

    /// <summary>Tells the member which partitions the consumer now owns (KIP-848 acknowledges them in its next heartbeat).</summary>
    void Owned(IReadOnlyList<TopicPartition> owned);

    Task<BrokerConnection> CoordinatorAsync(CancellationToken cancellationToken);

    void ResetCoordinator();

    Task LeaveAsync();
}
