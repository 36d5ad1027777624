namespace Rill.Coordination.Groups;

/// <summary>One member of a classic group. Touched only on the group's executor.</summary>
internal sealed class GroupMember
{
    public required string MemberId { get; set; }
    public string? GroupInstanceId { get; init; }
    public required string ClientId { get; set; }
    public required string ClientHost { get; set; }
    public int SessionTimeoutMs { get; set; }
    public int RebalanceTimeoutMs { get; set; }
    public required string ProtocolType { get; set; }
    public required IReadOnlyList<JoinProtocol> Protocols { get; set; }
    public ReadOnlyMemory<byte> Assignment { get; set; } = ReadOnlyMemory<byte>.Empty;

    /// <summary>A JoinGroup waiting for the rebalance to complete.</summary>
    public TaskCompletionSource<JoinResult>? PendingJoin { get; set; }

    /// <summary>A SyncGroup waiting for the leader's assignment.</summary>
    public TaskCompletionSource<SyncResult>? PendingSync { get; set; }

    /// <summary>Fires when no heartbeat arrives within the session timeout.</summary>
    public ITimer? SessionTimer { get; set; }

    public ReadOnlyMemory<byte> MetadataFor(string protocol)
        => Protocols.FirstOrDefault(p => p.Name == protocol)?.Metadata ?? ReadOnlyMemory<byte>.Empty;

    public bool SameProtocols(IReadOnlyList<JoinProtocol> other)
        => other.Count == Protocols.Count
           && other.Zip(Protocols).All(p => p.First.Name == p.Second.Name && p.First.Metadata.Span.SequenceEqual(p.Second.Metadata.Span));
}
