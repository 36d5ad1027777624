using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Consuming;

/// <summary>
/// Membership in a consumer group over the classic protocol: JoinGroup (with the member id the
/// broker hands back), the leader's assignment through SyncGroup, a heartbeat loop that notices a
/// rebalance or an expired session, and LeaveGroup on close.
/// </summary>
internal sealed class ClassicGroupMember(ConsumerConfig config, KafkaCluster cluster, IReadOnlyList<IAssignor> assignors) : IGroupMember
{
    private readonly string _groupId = config.GroupId!;
    private readonly CoordinatorLookup _coordinator = new(cluster, config.GroupId!);
    private readonly CancellationTokenSource _stop = new();
    private Task? _heartbeats;
    private volatile bool _rejoinNeeded = true;
    private volatile bool _lost;
    private volatile bool _joining;
    private volatile Dictionary<string, int>? _assignedCounts; // leader only: partition counts the last assignment was computed from
    private long _lastMetadataCheck = Environment.TickCount64;

    public string MemberId { get; private set; } = "";
    public int Generation { get; private set; } = -1;
    public string? ProtocolName { get; private set; }
    public bool RejoinNeeded => _rejoinNeeded;

    /// <summary>True once when the session expired or the member was fenced: its partitions are lost, not revoked.</summary>
    public bool TakeLost()
    {
        if (!_lost)
        {
            return false;
        }
        _lost = false;
        return true;
    }

    public bool Cooperative => assignors[0].Cooperative && assignors.All(a => a.Cooperative);

    public void RequestRejoin() => _rejoinNeeded = true;

    public void Owned(IReadOnlyList<TopicPartition> owned)
    {
    }

    public Task<BrokerConnection> CoordinatorAsync(CancellationToken cancellationToken) => _coordinator.GetAsync(cancellationToken);

    public void ResetCoordinator() => _coordinator.Reset();

    /// <summary>Joins (or rejoins) and returns this member's assignment.</summary>
    public async Task<List<TopicPartition>> JoinAsync(IReadOnlyList<string> topics, IReadOnlyList<TopicPartition> owned, CancellationToken cancellationToken)
    {
        _joining = true;
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var assignment = await TryJoinAsync(topics, owned, cancellationToken).ConfigureAwait(false);
                    if (assignment is not null)
                    {
                        _rejoinNeeded = false;
                        _heartbeats ??= Task.Run(HeartbeatLoopAsync);
                        return assignment;
                    }
                }
                catch (KafkaException e) when (e.IsRetriable)
                {
                    _coordinator.Reset();
                    await Task.Delay(config.RetryBackoffMs, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _joining = false;
        }
    }

    private async Task<List<TopicPartition>?> TryJoinAsync(IReadOnlyList<string> topics, IReadOnlyList<TopicPartition> owned, CancellationToken cancellationToken)
    {
        BrokerConnection coordinator = await _coordinator.GetAsync(cancellationToken).ConfigureAwait(false);
        short joinVersion = coordinator.Versions.Pick(ApiKey.JoinGroup);
        var join = new JoinGroupRequest
        {
            GroupId = _groupId,
            SessionTimeoutMs = config.SessionTimeoutMs,
            RebalanceTimeoutMs = config.MaxPollIntervalMs,
            MemberId = MemberId,
            GroupInstanceId = config.GroupInstanceId,
            ProtocolType = "consumer",
        };
        foreach (var assignor in assignors)
        {
            var subscription = new Subscription(topics, assignor.Cooperative ? owned : [], Generation);
            join.Protocols.Add(new JoinGroupRequest.JoinGroupRequestProtocol
            {
                Name = assignor.Name,
                Metadata = ConsumerProtocol.EncodeSubscription(subscription, assignor.Cooperative ? (short)1 : (short)0),
            });
        }
        var joined = await coordinator.SendAsync<JoinGroupResponse>(ApiKey.JoinGroup, joinVersion, join, cancellationToken, config.MaxPollIntervalMs).ConfigureAwait(false);
        switch ((ErrorCode)joined.ErrorCode)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.MemberIdRequired:
                MemberId = joined.MemberId;
                return null;
            case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration:
                MemberId = "";
                Generation = -1;
                return null;
            case ErrorCode.RebalanceInProgress:
                return null;
            default:
                KafkaException.ThrowIfError(joined.ErrorCode, $"JoinGroup {_groupId}");
                break;
        }
        MemberId = joined.MemberId;
        Generation = joined.GenerationId;
        ProtocolName = joined.ProtocolName;
        _assignedCounts = null;

        var sync = new SyncGroupRequest
        {
            GroupId = _groupId,
            GenerationId = Generation,
            MemberId = MemberId,
            GroupInstanceId = config.GroupInstanceId,
            ProtocolType = "consumer",
            ProtocolName = ProtocolName,
        };
        if (joined.Leader == joined.MemberId && !joined.SkipAssignment)
        {
            await LeadAsync(joined, sync, cancellationToken).ConfigureAwait(false);
        }
        short syncVersion = coordinator.Versions.Pick(ApiKey.SyncGroup);
        var synced = await coordinator.SendAsync<SyncGroupResponse>(ApiKey.SyncGroup, syncVersion, sync, cancellationToken, config.MaxPollIntervalMs).ConfigureAwait(false);
        switch ((ErrorCode)synced.ErrorCode)
        {
            case ErrorCode.None:
                return ConsumerProtocol.DecodeAssignment(synced.Assignment);
            case ErrorCode.RebalanceInProgress:
                return null;
            case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration:
                MemberId = "";
                Generation = -1;
                return null;
            default:
                KafkaException.ThrowIfError(synced.ErrorCode, $"SyncGroup {_groupId}");
                return null;
        }
    }

    private async Task LeadAsync(JoinGroupResponse joined, SyncGroupRequest sync, CancellationToken cancellationToken)
    {
        IAssignor assignor = assignors.FirstOrDefault(a => a.Name == joined.ProtocolName)
            ?? throw new KafkaException(ErrorCode.InconsistentGroupProtocol, $"The group chose assignor {joined.ProtocolName}, which this client does not have.");
        var members = joined.Members.ToDictionary(m => m.MemberId, m => ConsumerProtocol.DecodeSubscription(m.Metadata));
        var allTopics = members.Values.SelectMany(s => s.Topics).Distinct().ToList();
        await cluster.RefreshAsync(allTopics, cancellationToken).ConfigureAwait(false);
        var counts = PartitionCounts(allTopics);
        foreach (var (member, partitions) in assignor.Assign(members, counts.Where(c => c.Value > 0).ToDictionary()))
        {
            sync.Assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = member, Assignment = ConsumerProtocol.EncodeAssignment(partitions) });
        }
        _assignedCounts = counts;
    }

    /// <summary>Partition count per topic from the cached metadata (0 for a topic that does not exist).</summary>
    private Dictionary<string, int> PartitionCounts(IEnumerable<string> topics)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string topic in topics)
        {
            counts[topic] = cluster.TryGetCachedTopic(topic)?.Partitions.Count ?? 0;
        }
        return counts;
    }

    /// <summary>
    /// The leader's metadata check, as Java's consumer does it: every metadata.max.age.ms the leader
    /// refreshes the group's topics, and when one gained partitions (CreatePartitions) or appeared
    /// since it computed the assignment, it rejoins, which rebalances the whole group.
    /// </summary>
    private async Task CheckPartitionCountsAsync(CancellationToken cancellationToken)
    {
        if (_assignedCounts is not { } assigned || Environment.TickCount64 - _lastMetadataCheck < config.MetadataMaxAgeMs)
        {
            return;
        }
        _lastMetadataCheck = Environment.TickCount64;
        try
        {
            await cluster.RefreshAsync(assigned.Keys.ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException)
        {
            return; // the next check tries again
        }
        var now = PartitionCounts(assigned.Keys);
        if (ReferenceEquals(assigned, _assignedCounts) && now.Any(c => c.Value != assigned[c.Key]))
        {
            _assignedCounts = null;
            _rejoinNeeded = true;
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(config.HeartbeatIntervalMs, _stop.Token).ConfigureAwait(false);
                if (_joining || _rejoinNeeded || Generation < 0)
                {
                    continue;
                }
                await CheckPartitionCountsAsync(_stop.Token).ConfigureAwait(false);
                BrokerConnection coordinator = await _coordinator.GetAsync(_stop.Token).ConfigureAwait(false);
                short version = coordinator.Versions.Pick(ApiKey.Heartbeat);
                var response = await coordinator.SendAsync<HeartbeatResponse>(ApiKey.Heartbeat, version,
                    new HeartbeatRequest { GroupId = _groupId, GenerationId = Generation, MemberId = MemberId, GroupInstanceId = config.GroupInstanceId }, _stop.Token).ConfigureAwait(false);
                switch ((ErrorCode)response.ErrorCode)
                {
                    case ErrorCode.None:
                        break;
                    case ErrorCode.RebalanceInProgress:
                        _rejoinNeeded = true;
                        break;
                    case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.FencedInstanceId:
                        if (response.ErrorCode == (short)ErrorCode.UnknownMemberId)
                        {
                            MemberId = "";
                        }
                        Generation = -1;
                        _lost = true;
                        _rejoinNeeded = true;
                        break;
                    case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable:
                        _coordinator.Reset();
                        break;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (KafkaException)
            {
                _coordinator.Reset();
            }
        }
    }

    /// <summary>Stops heartbeating and leaves the group (a static member just stops).</summary>
    public async Task LeaveAsync()
    {
        _stop.Cancel();
        if (Generation < 0 || MemberId.Length == 0 || config.GroupInstanceId is not null)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(config.RequestTimeoutMs);
            BrokerConnection coordinator = await _coordinator.GetAsync(timeout.Token).ConfigureAwait(false);
            short version = coordinator.Versions.Pick(ApiKey.LeaveGroup);
            var request = new LeaveGroupRequest { GroupId = _groupId, MemberId = MemberId };
            if (version >= 3)
            {
                request.Members.Add(new LeaveGroupRequest.MemberIdentity { MemberId = MemberId, Reason = "the consumer is closing" });
            }
            await coordinator.SendAsync<LeaveGroupResponse>(ApiKey.LeaveGroup, version, request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            // leaving is best effort: the session timeout removes the member anyway
        }
        Generation = -1;
    }
}
