using Microsoft.Extensions.Logging;
using Rill.Broker.Replication.Fetching;
using Rill.Broker.Topics;
using Rill.Cluster;
using Rill.Cluster.Membership;
using Rill.Cluster.Topics;
using Rill.Storage;

namespace Rill.Broker.Replication;

/// <summary>
/// Cluster mode's data path on one broker. Watches {prefix}/topics/ and applies each change in revision
/// order: the local topic and partition logs are created (or deleted), each partition gets its
/// <see cref="PartitionReplica"/>, and this broker leads it, follows it (in the <see cref="ReplicaFetcher"/> for
/// that leader, one connection per source broker, <see cref="ReplicaFetcherManager"/>; a partition first truncates to where
/// its log diverges from the leader's, KIP-101/279) or neither. As leader
/// it proposes ISR shrink/expand by replica.lag.time.max.ms (compare-and-swap on the topic key). As the active
/// controller it re-elects leaders from the ISR when brokers go (<see cref="LeaderElection"/>), writing with
/// its controller epoch. On shutdown it first moves its leaderships to other ISR members.
/// </summary>
internal sealed class ReplicaManager : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);
    private readonly KafkaBroker _broker;
    private readonly InterBrokerSecurity _interBroker;
    private readonly ClusterMember _member;
    private readonly ILogger _log;
    private readonly int _self;
    private readonly ReplicaFetcherManager _fetchers;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public ReplicaManager(KafkaBroker broker, ClusterMember member, ILogger log)
    {
        _broker = broker;
        _interBroker = InterBrokerSecurity.FromConfig(broker.Config, broker.Security);
        _member = member;
        _log = log;
        _self = member.Self.Id;
        Registry = new TopicRegistry(member.Store, member.Keys, log);
        Admin = new ClusterTopicAdmin(this);
        Operations = new ControllerOperations(this, log);
        ControllerRequests = new ControllerRequestQueue(this, Operations, log);
        var settings = ReplicaFetcherSettings.From(broker.Config);
        _fetchers = new ReplicaFetcherManager(_self, settings,
            async (leader, stop) => await ReplicaChannelLink.ConnectAsync(FindBroker(leader) ?? throw new IOException($"Broker {leader} is not registered"),
                _interBroker, _self, settings, stop).ConfigureAwait(false), log, broker.Time);
    }

    /// <summary>The replica fetchers (one per source broker with the default num.replica.fetchers=1).</summary>
    internal ReplicaFetcherManager Fetchers => _fetchers;

    /// <summary>ElectLeaders, reassignments and leader balancing, as the active controller executes them.</summary>
    public ControllerOperations Operations { get; }

    /// <summary>Requests handed to the active controller through the store.</summary>
    public ControllerRequestQueue ControllerRequests { get; }

    public TopicRegistry Registry { get; }
    public ClusterTopicAdmin Admin { get; }
    public ClusterMember Member => _member;
    internal KafkaBroker Broker => _broker;

    /// <summary>How this broker reaches others (inter.broker.listener.name with its TLS/SASL).</summary>
    internal InterBrokerSecurity InterBroker => _interBroker;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var blocks = new ProducerIdBlocks(_member.Store, _member.Keys);
        _broker.Topics.ProducerIds.ReserveBlock = () => blocks.ReserveAsync(ProducerIdAllocator.BlockSize).GetAwaiter().GetResult();
        Registry.TopicChanged += OnTopicChanged;
        await Registry.StartAsync(cancellationToken).ConfigureAwait(false);
        // Local topics the cluster no longer has (deleted while this broker was away) go; internal topics stay local.
        foreach (Topic local in _broker.Topics.All.ToArray())
        {
            if (!TopicName.IsInternal(local.Name) && Registry.Find(local.Name) is null)
            {
                _log.LogInformation("Topic {Topic} is not in the cluster metadata; deleting the local copy", local.Name);
                _broker.Topics.Delete(local.Name);
            }
        }
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    private void OnTopicChanged(string name, VersionedTopic? versioned)
    {
        if (versioned is null)
        {
            _fetchers.RemoveTopic(name);
            if (_broker.Topics.Find(name) is not null)
            {
                _broker.Topics.Delete(name);
            }
            return;
        }
        TopicState state = versioned.State;
        Topic topic = _broker.Topics.EnsureClusterTopic(name, state.Id, state.Partitions.Length, new Dictionary<string, string>(state.Configs, StringComparer.Ordinal));
        for (int i = 0; i < state.Partitions.Length; i++)
        {
            ApplyPartition(topic.Partitions[i], state.Partitions[i]);
        }
    }

    private void ApplyPartition(Partition partition, PartitionState state)
    {
        PartitionReplica? replica = partition.Replica;
        // A broker that does not host the partition never opens (and so never creates) its log: `partition.Log`
        // opens lazily, and touching it here made every broker create a log for every partition of the cluster,
        // which DropLogAsync then deleted again.
        bool hosted = state.Leader == _self || state.IsHostedBy(_self);
        if (replica is null)
        {
            // A restarted replica starts from its checkpointed high watermark (replication-offset-checkpoint); as a
            // follower it then truncates to where its log diverges from the leader's (ReplicaFetcher, KIP-279).
            PartitionLog? log = hosted ? partition.Log : partition.OpenedLog;
            long highWatermark = log is null ? 0 : Math.Max(0, Math.Min(log.ReplicatedHighWatermark, log.LogEndOffset));
            replica = new PartitionReplica(_self, state, highWatermark, _broker.Time) { LagTimeMaxMs = _broker.Config.ReplicaLagTimeMaxMs };
            replica.HighWatermarkAdvanced += partition.Appended.Notify;
            partition.Replica = replica;
            if (log is not null)
            {
                log.ReplicatedHighWatermark = highWatermark;
            }
        }
        PartitionState old = replica.State;
        bool newTerm = old.Leader != state.Leader || old.LeaderEpoch != state.LeaderEpoch;
        if (state.Leader == _self)
        {
            StopFetcher(partition);
            // Kafka's makeLeader: the epoch starts at the log end offset and is stamped into every batch appended.
            partition.Log.BecomeLeader(state.LeaderEpoch);
            replica.Apply(state, partition.Log.LogEndOffset);
            if (newTerm)
            {
                _log.LogInformation("{Topic}-{Partition}: leader (epoch {Epoch}, ISR [{Isr}], high watermark {Hw}, log end {Leo})", partition.Topic.Name,
                    partition.Index, state.LeaderEpoch, string.Join(",", state.Isr), replica.HighWatermark, partition.Log.LogEndOffset);
            }
            partition.Appended.Notify();
            return;
        }
        if (!hosted)
        {
            partition.OpenedLog?.BecomeFollower();
            // Not (or no longer: reassigned away) a replica here: no fetcher and no local log.
            Task stopped = StopFetcher(partition);
            replica.Apply(state, 0);
            if (partition.OpenedLog is not null)
            {
                _ = DropLogAsync(partition, replica, stopped);
            }
            return;
        }
        partition.Log.BecomeFollower();
        if (newTerm)
        {
            // The new fetcher first truncates to the divergence point it finds with OffsetForLeaderEpoch (KIP-101/279).
            StopFetcher(partition);
        }
        replica.Apply(state, partition.Log.LogEndOffset);
        if (state.Leader >= 0)
        {
            EnsureFetcher(partition, replica, state);
        }
        else
        {
            StopFetcher(partition);
        }
    }

    private void EnsureFetcher(Partition partition, PartitionReplica replica, PartitionState state)
    {
        if (_stop.IsCancellationRequested)
        {
            return; // shutting down: this broker no longer fetches
        }
        _fetchers.AddOrUpdate(partition, replica, state.Leader, state.LeaderEpoch);
    }

    private BrokerInfo? FindBroker(int id) => _member.Brokers.FirstOrDefault(b => b.Id == id);

    /// <summary>Takes the partition out of its fetcher; the returned task is complete: once removed, no fetcher changes its log.</summary>
    private Task StopFetcher(Partition partition)
    {
        _fetchers.Remove(partition);
        return Task.CompletedTask;
    }

    /// <summary>Once the fetcher has stopped, deletes the log of a partition this broker no longer hosts (unless it hosts it again meanwhile).</summary>
    private async Task DropLogAsync(Partition partition, PartitionReplica replica, Task fetcherStopped)
    {
        try
        {
            await fetcherStopped.ConfigureAwait(false);
            if (!replica.State.IsHostedBy(_self))
            {
                await _broker.Topics.DropReplicaLog(partition).ConfigureAwait(false);
                replica.ClampHighWatermark(0);
            }
        }
        catch (Exception e)
        {
            _log.LogWarning("Deleting the log of {Topic}-{Partition} failed: {Message}", partition.Topic.Name, partition.Index, e.Message);
        }
    }

    /// <summary>Every 200 ms: ISR changes this broker proposes as leader, and, when it is the controller, leader elections.</summary>
    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Tick);
        long checkpointInterval = Math.Max(Tick.Ticks, TimeSpan.FromMilliseconds(_broker.Config.ReplicaHighWatermarkCheckpointIntervalMs).Ticks);
        long lastCheckpoint = _broker.Time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    if (_broker.Time.GetElapsedTime(lastCheckpoint).Ticks >= checkpointInterval)
                    {
                        lastCheckpoint = _broker.Time.GetTimestamp();
                        CheckpointHighWatermarks();
                    }
                    await UpdateIsrAsync(_stop.Token).ConfigureAwait(false);
                    if (_member.IsController)
                    {
                        await ElectLeadersAsync(_stop.Token).ConfigureAwait(false);
                        await ControllerRequests.ProcessAsync(_stop.Token).ConfigureAwait(false);
                        await Operations.HousekeepingAsync(_stop.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log.LogWarning("Replication housekeeping failed (retrying): {Message}", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// replication-offset-checkpoint: every replicated partition's high watermark, so a restarted broker does not start
    /// from 0 (the log manager writes the file; also at shutdown).
    /// </summary>
    private void CheckpointHighWatermarks()
    {
        foreach (Topic topic in _broker.Topics.All)
        {
            foreach (Partition partition in topic.Partitions)
            {
                if (partition.Replica is { } replica && partition.OpenedLog is { } log)
                {
                    log.ReplicatedHighWatermark = replica.HighWatermark; // a partition hosted elsewhere has no log here
                }
            }
        }
        _broker.Topics.CheckpointHighWatermarks();
    }

    /// <summary>ISR shrink/expand proposed by the partitions this broker leads, written with compare-and-swap.</summary>
    private async Task UpdateIsrAsync(CancellationToken cancellationToken)
    {
        // Only registered brokers may join an ISR (Kafka checks the same): a healed, partitioned broker fetches
        // again before it has registered again, and the controller would take it out at once (ISR flapping).
        var live = _member.Brokers.Select(b => b.Id).ToHashSet();
        foreach (var (name, versioned) in Registry.Topics)
        {
            if (_broker.Topics.Find(name) is not { } topic)
            {
                continue;
            }
            for (int i = 0; i < versioned.State.Partitions.Length && i < topic.Partitions.Length; i++)
            {
                if (topic.Partitions[i].Replica is not { IsLeader: true } replica)
                {
                    continue;
                }
                int[]? isr = replica.ProposedIsr() is { } proposed ? ReplicaDivergence.RegisteredOnly(proposed, replica.State.Isr, _self, live) : null;
                replica.Proposing(isr); // from now on the high watermark also waits for a joining member (KIP-497)
                if (isr is null)
                {
                    continue;
                }
                VersionedTopic? current = await Registry.ReadAsync(name, cancellationToken).ConfigureAwait(false);
                if (current is null || current.State.Partitions[i] is not { } p || p.Leader != _self || p.LeaderEpoch != replica.LeaderEpoch)
                {
                    continue;
                }
                PartitionState next = p with { Isr = isr };
                if (await Registry.TryUpdateAsync(current.State.With(i, next), current.ModRevision, cancellationToken).ConfigureAwait(false))
                {
                    _log.LogInformation("{Topic}-{Partition}: ISR [{Old}] -> [{New}]", name, i, string.Join(",", p.Isr), string.Join(",", isr));
                }
            }
        }
    }

    /// <summary>The controller: partitions whose leader or ISR members are gone get a new leader from the ISR.</summary>
    private async Task ElectLeadersAsync(CancellationToken cancellationToken)
    {
        var live = _member.Brokers.Select(b => b.Id).ToHashSet();
        bool unclean = _broker.Config.UncleanLeaderElectionEnable;
        foreach (var (name, versioned) in Registry.Topics)
        {
            TopicState state = versioned.State;
            TopicState next = state;
            for (int i = 0; i < state.Partitions.Length; i++)
            {
                if (LeaderElection.OnBrokersChanged(state.Partitions[i], live, unclean) is { } changed)
                {
                    next = next.With(i, changed);
                }
            }
            if (ReferenceEquals(next, state))
            {
                continue;
            }
            var (guard, write) = Registry.UpdateOf(next, versioned.ModRevision);
            if (await _member.ControllerCommitAsync([guard], [write], cancellationToken).ConfigureAwait(false))
            {
                for (int i = 0; i < state.Partitions.Length; i++)
                {
                    if (state.Partitions[i] != next.Partitions[i])
                    {
                        _log.LogInformation("Controller: {Topic}-{Partition} leader {Old} -> {New} (epoch {Epoch}, ISR [{Isr}])", name, i,
                            state.Partitions[i].Leader, next.Partitions[i].Leader, next.Partitions[i].LeaderEpoch, string.Join(",", next.Partitions[i].Isr));
                    }
                }
            }
        }
    }

    /// <summary>Controlled shutdown: every partition this broker leads gets another ISR member as leader (bounded).</summary>
    public async Task MoveLeadershipAwayAsync(TimeSpan timeout)
    {
        using var bounded = new CancellationTokenSource(timeout);
        try
        {
            var live = _member.Brokers.Select(b => b.Id).Where(id => id != _self).ToHashSet();
            foreach (VersionedTopic listed in await Registry.ReadAllAsync(bounded.Token).ConfigureAwait(false))
            {
                VersionedTopic? current = listed;
                for (int attempt = 0; attempt < 5 && current is not null; attempt++)
                {
                    TopicState next = current.State;
                    for (int i = 0; i < next.Partitions.Length; i++)
                    {
                        if (LeaderElection.MoveLeadershipAway(next.Partitions[i], _self, live) is { } moved)
                        {
                            next = next.With(i, moved);
                        }
                    }
                    if (ReferenceEquals(next, current.State)
                        || await Registry.TryUpdateAsync(next, current.ModRevision, bounded.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                    current = await Registry.ReadAsync(listed.State.Name, bounded.Token).ConfigureAwait(false);
                }
            }
            _log.LogInformation("Controlled shutdown: leadership moved to other in-sync replicas");
        }
        catch (Exception e)
        {
            _log.LogWarning("Controlled shutdown could not move every leadership: {Message}", e.Message);
        }
    }

    /// <summary>
    /// Controlled shutdown, then stop: the loop and the fetchers stop first (so no leader sees this broker
    /// catch up again and re-adds it to an ISR), then its leaderships move to other ISR members, then the watch stops.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _fetchers.DisposeAsync().ConfigureAwait(false);
        try
        {
            CheckpointHighWatermarks();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            _log.LogWarning("Could not write the high watermark checkpoint: {Message}", e.Message);
        }
        await MoveLeadershipAwayAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        await Registry.DisposeAsync().ConfigureAwait(false);
    }
}
