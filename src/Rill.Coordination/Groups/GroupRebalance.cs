namespace Rill.Coordination.Groups;

/// <summary>
/// A completed rebalance, reported to <see cref="GroupCoordinatorOptions.Rebalanced"/> (the broker
/// logs it and counts it). Classic groups report when the group becomes Stable (the leader's
/// SyncGroup) or Empty (every member gone), with the time since the rebalance began; consumer
/// groups (KIP-848) report each new target assignment (a new group epoch), which has no duration.
/// </summary>
/// <param name="GroupType">"classic" or "consumer", as ListGroups names them.</param>
/// <param name="Generation">The classic generation id or the consumer group epoch.</param>
/// <param name="Protocol">The chosen classic protocol (assignor) or the consumer group's server assignor.</param>
/// <param name="Leader">The classic leader's member id; null for consumer groups and empty groups.</param>
/// <param name="Duration">From PreparingRebalance to Stable/Empty; null for consumer groups.</param>
public sealed record GroupRebalance(string GroupId, string GroupType, int Generation, int Members, string? Protocol,
    string? Leader, TimeSpan? Duration);
