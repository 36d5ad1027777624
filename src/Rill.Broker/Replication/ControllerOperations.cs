using Microsoft.Extensions.Logging;
using Rill.Cluster.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Replication;

/// <summary>
/// What the active controller executes for operators (ElectLeaders, AlterPartitionReassignments) and keeps
/// doing on its own (completing reassignments whose new replicas joined the ISR, automatic preferred-leader
/// balancing). Every change is a compare-and-swap on the topic key read from the store, committed with the
/// controller epoch fence, so a deposed controller cannot apply anything. ListPartitionReassignments is a
/// read of the store and runs on any broker.
/// </summary>
internal sealed class ControllerOperations
{
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(5);
    private readonly ReplicaManager _replicas;
    private readonly ILogger _log;
    private DateTime _nextBalanceCheck = DateTime.MinValue;

    public ControllerOperations(ReplicaManager replicas, ILogger log)
    {
        _replicas = replicas;
        _log = log;
    }

    private TopicRegistry Registry => _replicas.Registry;
    private IReadOnlySet<int> Live => _replicas.Member.Brokers.Select(b => b.Id).ToHashSet();

    public async Task<ElectLeadersResponse> ElectLeadersAsync(ElectLeadersRequest request, short version, CancellationToken cancellationToken)
    {
        var type = version == 0 ? ElectionType.Preferred : (ElectionType)request.ElectionType;
        var response = new ElectLeadersResponse();
        if (type is not (ElectionType.Preferred or ElectionType.Unclean))
        {
            response.ErrorCode = (short)ErrorCode.InvalidRequest;
            return response;
        }
        bool all = request.TopicPartitions is null;
        IEnumerable<(string Topic, int[]? Partitions)> wanted = all
            ? (await Registry.ReadAllAsync(cancellationToken).ConfigureAwait(false)).Select(t => (t.State.Name, (int[]?)null))
            : request.TopicPartitions!.GroupBy(t => t.Topic, StringComparer.Ordinal).Select(g => (g.Key, (int[]?)g.SelectMany(t => t.Partitions).Distinct().ToArray()));
        foreach (var (name, partitions) in wanted)
        {
            var results = new SortedDictionary<int, (ErrorCode Error, string? Message)>();
            await UpdateTopicAsync(name, state =>
            {
                results.Clear();
                IReadOnlySet<int> live = Live;
                TopicState next = state;
                foreach (int p in partitions ?? Enumerable.Range(0, state.Partitions.Length).ToArray())
                {
                    if ((uint)p >= (uint)state.Partitions.Length)
                    {
                        results[p] = (ErrorCode.UnknownTopicOrPartition, $"Partition {name}-{p} does not exist.");
                        continue;
                    }
                    var (outcome, changed) = RequestedElection.Elect(state.Partitions[p], type, live);
                    results[p] = Describe(outcome, state.Partitions[p], type);
                    if (changed is not null)
                    {
                        next = next.With(p, changed);
                    }
                }
                return next;
            }, onMissing: () =>
            {
                foreach (int p in partitions ?? [])
                {
                    results[p] = (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
                }
            }, cancellationToken).ConfigureAwait(false);
            var topicResult = new ElectLeadersResponse.ReplicaElectionResult { Topic = name };
            foreach (var (p, (error, message)) in results)
            {
                // Asked for every partition, Kafka reports only the partitions where something was tried and did not need to be skipped.
                if (all && error == ErrorCode.ElectionNotNeeded)
                {
                    continue;
                }
                topicResult.PartitionResult.Add(new ElectLeadersResponse.PartitionResult { PartitionId = p, ErrorCode = (short)error, ErrorMessage = message });
            }
            if (topicResult.PartitionResult.Count > 0)
            {
                response.ReplicaElectionResults.Add(topicResult);
            }
        }
        return response;
    }

    private static (ErrorCode, string?) Describe(ElectionOutcome outcome, PartitionState state, ElectionType type) => outcome switch
    {
        ElectionOutcome.Elected => (ErrorCode.None, null),
        ElectionOutcome.NotNeeded => (ErrorCode.ElectionNotNeeded, type == ElectionType.Preferred
            ? $"Leader election not needed: the preferred replica {state.PreferredLeader} already leads."
            : $"Leader election not needed: broker {state.Leader} leads."),
        ElectionOutcome.PreferredNotAvailable => (ErrorCode.PreferredLeaderNotAvailable,
            $"The preferred replica {state.PreferredLeader} is not live or not in the ISR [{string.Join(",", state.Isr)}]."),
        _ => (ErrorCode.EligibleLeadersNotAvailable, $"No live replica among [{string.Join(",", state.Replicas)}] can lead."),
    };

    public async Task<AlterPartitionReassignmentsResponse> AlterReassignmentsAsync(AlterPartitionReassignmentsRequest request, CancellationToken cancellationToken)
    {
        var response = new AlterPartitionReassignmentsResponse();
        foreach (var group in request.Topics.GroupBy(t => t.Name, StringComparer.Ordinal))
        {
            string name = group.Key;
            var asked = group.SelectMany(t => t.Partitions).ToArray();
            var results = new SortedDictionary<int, (ErrorCode Error, string? Message)>();
            await UpdateTopicAsync(name, state =>
            {
                results.Clear();
                IReadOnlySet<int> registered = Live;
                TopicState next = state;
                foreach (var partition in asked)
                {
                    int p = partition.PartitionIndex;
                    if ((uint)p >= (uint)state.Partitions.Length)
                    {
                        results[p] = (ErrorCode.UnknownTopicOrPartition, $"Partition {name}-{p} does not exist.");
                        continue;
                    }
                    PartitionState current = next.Partitions[p];
                    if (partition.Replicas is null)
                    {
                        if (PartitionReassignment.Cancel(current, registered) is { } cancelled)
                        {
                            next = next.With(p, cancelled);
                            results[p] = (ErrorCode.None, null);
                        }
                        else
                        {
                            results[p] = (ErrorCode.NoReassignmentInProgress, $"No reassignment of {name}-{p} is in progress.");
                        }
                        continue;
                    }
                    if (PartitionReassignment.Validate(partition.Replicas, registered) is { } invalid)
                    {
                        results[p] = (ErrorCode.InvalidReplicaAssignment, invalid);
                        continue;
                    }
                    next = next.With(p, PartitionReassignment.Start(current, partition.Replicas, registered));
                    results[p] = (ErrorCode.None, null);
                }
                return next;
            }, onMissing: () =>
            {
                foreach (var partition in asked)
                {
                    results[partition.PartitionIndex] = (ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
                }
            }, cancellationToken).ConfigureAwait(false);
            var topic = new AlterPartitionReassignmentsResponse.ReassignableTopicResponse { Name = name };
            foreach (var (p, (error, message)) in results)
            {
                topic.Partitions.Add(new AlterPartitionReassignmentsResponse.ReassignablePartitionResponse { PartitionIndex = p, ErrorCode = (short)error, ErrorMessage = message });
            }
            response.Responses.Add(topic);
        }
        return response;
    }

    /// <summary>The reassignments in progress, read from the store (any broker answers it).</summary>
    public async Task<ListPartitionReassignmentsResponse> ListReassignmentsAsync(ListPartitionReassignmentsRequest request, CancellationToken cancellationToken)
    {
        var response = new ListPartitionReassignmentsResponse();
        IEnumerable<(TopicState? State, string Name, int[]? Partitions)> wanted;
        if (request.Topics is null)
        {
            wanted = (await Registry.ReadAllAsync(cancellationToken).ConfigureAwait(false)).Select(t => ((TopicState?)t.State, t.State.Name, (int[]?)null));
        }
        else
        {
            var list = new List<(TopicState?, string, int[]?)>();
            foreach (var t in request.Topics)
            {
                list.Add(((await Registry.ReadAsync(t.Name, cancellationToken).ConfigureAwait(false))?.State, t.Name, t.PartitionIndexes.ToArray()));
            }
            wanted = list;
        }
        foreach (var (state, name, partitions) in wanted)
        {
            if (state is null)
            {
                continue; // Kafka lists nothing for a topic that does not exist
            }
            var topic = new ListPartitionReassignmentsResponse.OngoingTopicReassignment { Name = name };
            foreach (int p in partitions ?? Enumerable.Range(0, state.Partitions.Length).ToArray())
            {
                if ((uint)p < (uint)state.Partitions.Length && state.Partitions[p] is { IsReassigning: true } s)
                {
                    topic.Partitions.Add(new ListPartitionReassignmentsResponse.OngoingPartitionReassignment
                    {
                        PartitionIndex = p,
                        Replicas = [.. s.Replicas],
                        AddingReplicas = [.. s.AddingReplicas ?? []],
                        RemovingReplicas = [.. s.RemovingReplicas ?? []],
                    });
                }
            }
            if (topic.Partitions.Count > 0)
            {
                response.Topics.Add(topic);
            }
        }
        return response;
    }

    /// <summary>
    /// The controller's tick: reassignments whose target replicas are all in the ISR complete, and every
    /// leader.imbalance.check.interval.seconds partitions go back to their preferred leader (auto.leader.rebalance.enable).
    /// </summary>
    public async Task HousekeepingAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, versioned) in Registry.Topics)
        {
            if (!versioned.State.Partitions.Any(p => p.IsReassigning && PartitionReassignment.TryComplete(p, Live) is not null))
            {
                continue;
            }
            await UpdateTopicAsync(name, state =>
            {
                TopicState next = state;
                for (int i = 0; i < state.Partitions.Length; i++)
                {
                    if (PartitionReassignment.TryComplete(state.Partitions[i], Live) is { } done)
                    {
                        _log.LogInformation("Controller: reassignment of {Topic}-{Partition} complete: replicas [{Replicas}], leader {Leader}",
                            name, i, string.Join(",", done.Replicas), done.Leader);
                        next = next.With(i, done);
                    }
                }
                return next;
            }, onMissing: null, cancellationToken).ConfigureAwait(false);
        }

        var config = _replicas.Broker.Config;
        if (!config.AutoLeaderRebalanceEnable || DateTime.UtcNow < _nextBalanceCheck)
        {
            return;
        }
        _nextBalanceCheck = DateTime.UtcNow + TimeSpan.FromSeconds(config.LeaderImbalanceCheckIntervalSeconds);
        var moves = LeaderImbalance.ToRebalance(Registry.Topics.Values.Select(v => v.State), Live, config.LeaderImbalancePerBrokerPercentage);
        foreach (var byTopic in moves.GroupBy(m => m.Topic, StringComparer.Ordinal))
        {
            await UpdateTopicAsync(byTopic.Key, state =>
            {
                TopicState next = state;
                foreach (var (_, p) in byTopic)
                {
                    if (p < state.Partitions.Length && RequestedElection.Elect(state.Partitions[p], ElectionType.Preferred, Live) is (ElectionOutcome.Elected, { } moved))
                    {
                        _log.LogInformation("Controller: leader balancing moves {Topic}-{Partition} back to its preferred replica {Leader} (epoch {Epoch})",
                            byTopic.Key, p, moved.Leader, moved.LeaderEpoch);
                        next = next.With(p, moved);
                    }
                }
                return next;
            }, onMissing: null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Read-modify-write of one topic with the controller fence, retried on a conflicting change; waits (bounded)
    /// until this broker applied the result. <paramref name="change"/> runs on a fresh read each attempt.
    /// </summary>
    private async Task UpdateTopicAsync(string name, Func<TopicState, TopicState> change, Action? onMissing, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            VersionedTopic? current = await Registry.ReadAsync(name, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                onMissing?.Invoke();
                return;
            }
            TopicState next = change(current.State);
            if (ReferenceEquals(next, current.State))
            {
                return;
            }
            var (guard, write) = Registry.UpdateOf(next, current.ModRevision);
            if (await _replicas.Member.ControllerCommitAsync([guard], [write], cancellationToken).ConfigureAwait(false))
            {
                await Registry.WaitAppliedAsync(t => t.TryGetValue(name, out VersionedTopic? v) && v.ModRevision > current.ModRevision, ApplyTimeout)
                    .ConfigureAwait(false);
                return;
            }
            if (!_replicas.Member.IsController)
            {
                throw new NotControllerException();
            }
        }
        throw new InvalidOperationException($"Topic '{name}' kept changing; retry.");
    }
}

/// <summary>This broker lost the controller role while executing a controller operation.</summary>
internal sealed class NotControllerException() : Exception("This broker is no longer the active controller.");
