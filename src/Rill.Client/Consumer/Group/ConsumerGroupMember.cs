using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Consuming;

/// <summary>
/// KIP-848 membership (group.protocol=consumer): one ConsumerGroupHeartbeat loop. The first
/// heartbeat (epoch 0) joins with the subscription; the broker assigns server-side and answers
/// with a target assignment (topic ids) whenever it changes. The consumer reconciles (revokes
/// what left, takes what arrived) and the next heartbeat reports what it owns, which completes
/// the epoch. A fenced or unknown member rejoins with epoch 0, its partitions lost.
/// </summary>
internal sealed class ConsumerGroupMember(ConsumerConfig config, KafkaCluster cluster) : IGroupMember
{
    private readonly string _groupId = config.GroupId!;
    private readonly CoordinatorLookup _coordinator = new(cluster, config.GroupId!);
    private readonly CancellationTokenSource _stop = new();
    private readonly AsyncSignal _wake = new();
    private readonly object _lock = new();
    private IReadOnlyList<string> _topics = [];
    private List<TopicPartition> _owned = new();
    private List<TopicPartition>? _target;
    private TaskCompletionSource _firstAssignment = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private int _epoch;
    private int _intervalMs = config.HeartbeatIntervalMs;
    private volatile bool _rejoinNeeded = true;
    private volatile bool _lost;

    public string MemberId { get; private set; } = Guid.NewGuid().ToString("N");
    public int Generation => _epoch > 0 ? _epoch : -1;
    public bool RejoinNeeded => _rejoinNeeded;
    public bool Cooperative => true;

    public bool TakeLost()
    {
        if (!_lost)
        {
            return false;
        }
        _lost = false;
        return true;
    }

    public void RequestRejoin() => _rejoinNeeded = true;

    public void Owned(IReadOnlyList<TopicPartition> owned)
    {
        lock (_lock)
        {
            _owned = owned.ToList();
        }
        _wake.Set(); // acknowledge the reconciled assignment right away
    }

    public Task<BrokerConnection> CoordinatorAsync(CancellationToken cancellationToken) => _coordinator.GetAsync(cancellationToken);

    public void ResetCoordinator() => _coordinator.Reset();

    public async Task<List<TopicPartition>> JoinAsync(IReadOnlyList<string> topics, IReadOnlyList<TopicPartition> owned, CancellationToken cancellationToken)
    {
        bool changed;
        lock (_lock)
        {
            changed = !_topics.SequenceEqual(topics);
            _topics = topics.ToList();
        }
        _loop ??= Task.Run(LoopAsync);
        if (changed)
        {
            _wake.Set();
        }
        await _firstAssignment.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _rejoinNeeded = false;
            return _target?.ToList() ?? owned.ToList();
        }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await HeartbeatAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                _coordinator.Reset();
            }
            catch (KafkaException e)
            {
                _firstAssignment.TrySetException(e);
                return;
            }
            try
            {
                await _wake.WaitAsync(_intervalMs, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        BrokerConnection coordinator = await _coordinator.GetAsync(cancellationToken).ConfigureAwait(false);
        short version = coordinator.Versions.Pick(ApiKey.ConsumerGroupHeartbeat);
        List<TopicPartition> owned;
        IReadOnlyList<string> topics;
        lock (_lock)
        {
            owned = _owned.ToList();
            topics = _topics;
        }
        var request = new ConsumerGroupHeartbeatRequest
        {
            GroupId = _groupId,
            MemberId = version == 0 && _epoch == 0 && !_joinedOnce ? "" : MemberId,
            MemberEpoch = _epoch,
            InstanceId = config.GroupInstanceId,
            RebalanceTimeoutMs = config.MaxPollIntervalMs,
            SubscribedTopicNames = topics.ToList(),
            ServerAssignor = config.GroupRemoteAssignor,
            TopicPartitions = await ToIdsAsync(owned, cancellationToken).ConfigureAwait(false),
        };
        var response = await coordinator.SendAsync<ConsumerGroupHeartbeatResponse>(ApiKey.ConsumerGroupHeartbeat, version, request, cancellationToken).ConfigureAwait(false);
        switch ((ErrorCode)response.ErrorCode)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.UnknownMemberId or ErrorCode.FencedMemberEpoch:
                _epoch = 0;
                lock (_lock)
                {
                    _owned.Clear();
                    _target = null;
                }
                _lost = true;
                _rejoinNeeded = true;
                return;
            case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress:
                _coordinator.Reset();
                return;
            default:
                KafkaException.ThrowIfError(response.ErrorCode, $"ConsumerGroupHeartbeat {_groupId}", response.ErrorMessage);
                break;
        }
        _joinedOnce = true;
        if (response.MemberId is { Length: > 0 } id)
        {
            MemberId = id;
        }
        _epoch = response.MemberEpoch;
        if (response.HeartbeatIntervalMs > 0)
        {
            _intervalMs = response.HeartbeatIntervalMs;
        }
        if (response.Assignment is { } assignment)
        {
            var target = await ToNamesAsync(assignment, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                _target = target;
            }
            _rejoinNeeded = true;
            _firstAssignment.TrySetResult();
        }
    }

    private bool _joinedOnce;

    private async Task<List<ConsumerGroupHeartbeatRequest.OwnedTopicPartitions>> ToIdsAsync(List<TopicPartition> owned, CancellationToken cancellationToken)
    {
        var result = new List<ConsumerGroupHeartbeatRequest.OwnedTopicPartitions>();
        foreach (var group in owned.GroupBy(p => p.Topic))
        {
            TopicMetadata? topic = await cluster.GetTopicAsync(group.Key, cancellationToken).ConfigureAwait(false);
            if (topic is not null)
            {
                result.Add(new ConsumerGroupHeartbeatRequest.OwnedTopicPartitions { TopicId = topic.TopicId, Partitions = group.Select(p => p.Partition).ToList() });
            }
        }
        return result;
    }

    private async Task<List<TopicPartition>> ToNamesAsync(ConsumerGroupHeartbeatResponse.MemberAssignment assignment, CancellationToken cancellationToken)
    {
        var result = new List<TopicPartition>();
        for (int attempt = 0; attempt < 2; attempt++)
        {
            result.Clear();
            var byId = new Dictionary<Guid, string>();
            foreach (string topic in _topics)
            {
                if (cluster.TryGetCachedTopic(topic) is { } metadata)
                {
                    byId[metadata.TopicId] = topic;
                }
            }
            bool missing = false;
            foreach (var t in assignment.TopicPartitions)
            {
                if (byId.TryGetValue(t.TopicId, out string? name))
                {
                    result.AddRange(t.Partitions.Select(p => new TopicPartition(name, p)));
                }
                else
                {
                    missing = true;
                }
            }
            if (!missing)
            {
                break;
            }
            await cluster.RefreshAsync(_topics.ToList(), cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    public async Task LeaveAsync()
    {
        _stop.Cancel();
        if (_epoch <= 0)
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(config.RequestTimeoutMs);
            BrokerConnection coordinator = await _coordinator.GetAsync(timeout.Token).ConfigureAwait(false);
            short version = coordinator.Versions.Pick(ApiKey.ConsumerGroupHeartbeat);
            await coordinator.SendAsync<ConsumerGroupHeartbeatResponse>(ApiKey.ConsumerGroupHeartbeat, version, new ConsumerGroupHeartbeatRequest
            {
                GroupId = _groupId,
                MemberId = MemberId,
                MemberEpoch = config.GroupInstanceId is null ? -1 : -2,
                InstanceId = config.GroupInstanceId,
            }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            // best effort: the session timeout removes the member anyway
        }
        _epoch = -1;
    }
}
