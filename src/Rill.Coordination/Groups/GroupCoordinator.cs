using System.Collections.Concurrent;
using Rill.Coordination.Groups.Consumer;
using Rill.Protocol;

namespace Rill.Coordination.Groups;

/// <summary>
/// The group coordinator: routes each group's requests to that group's single-owner executor and
/// keeps committed offsets. Offset commits and group metadata are written to an
/// <see cref="IGroupStateLog"/> (the broker's __consumer_offsets) before they are acknowledged and
/// rebuilt from it on start; until that load finishes every group request answers
/// COORDINATOR_LOAD_IN_PROGRESS.
/// </summary>
public sealed partial class GroupCoordinator : IDisposable
{
    private readonly GroupCoordinatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, GroupEntry> _groups = new(StringComparer.Ordinal);
    private readonly OffsetStore _offsets = new();
    private readonly IGroupStateLog? _log;
    private readonly ITopicCatalog _topics;
    private readonly ConsumerGroupOptions _consumerOptions;
    private volatile bool _loading;

    public GroupCoordinator(GroupCoordinatorOptions options, TimeProvider? time = null, IGroupStateLog? log = null,
        ITopicCatalog? topics = null, ConsumerGroupOptions? consumerOptions = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _log = log;
        _topics = topics ?? EmptyTopicCatalog.Instance;
        _consumerOptions = consumerOptions ?? new ConsumerGroupOptions();
    }

    /// <summary>True between <see cref="BeginLoading"/> and the end of <see cref="Load"/>: group requests get COORDINATOR_LOAD_IN_PROGRESS.</summary>
    public bool IsLoading => _loading;

    /// <summary>Refuses group requests (COORDINATOR_LOAD_IN_PROGRESS) until <see cref="Load"/> has run.</summary>
    public void BeginLoading() => _loading = true;

    /// <summary>
    /// Rebuilds committed offsets, classic groups and KIP-848 groups from __consumer_offsets
    /// records, oldest first (later records win; a tombstone deletes), then starts serving. Loaded
    /// groups resume with their members, generations/epochs and assignments; members that do not
    /// come back expire after their session timeout. Returns the number of records applied.
    /// </summary>
    public int Load(IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> records)
    {
        try
        {
            return Replay(records);
        }
        finally
        {
            _loading = false;
        }
    }

    /// <summary>Applies __consumer_offsets records (see <see cref="Load"/>) without changing the loading state.</summary>
    private int Replay(IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> records)
    {
        int applied = 0;
        var snapshots = new Dictionary<string, GroupSnapshot>(StringComparer.Ordinal);
        var consumerGroups = new Dictionary<string, LoadingConsumerGroup>(StringComparer.Ordinal);
        foreach (var (key, value) in records)
        {
            if (OffsetRecords.TryParseKey(key, out string group, out string topic, out int partition))
            {
                if (value is null)
                {
                    _offsets.Remove(group, topic, partition);
                }
                else if (OffsetRecords.TryParseValue(value.Value, out CommittedOffset offset))
                {
                    _offsets.Commit(group, topic, partition, offset);
                }
                applied++;
            }
            else if (GroupMetadataRecords.TryParseKey(key, out string groupId))
            {
                if (value is null)
                {
                    snapshots.Remove(groupId);
                    _offsets.RemoveGroup(groupId);
                }
                else if (GroupMetadataRecords.TryParseValue(value.Value, out GroupSnapshot snapshot))
                {
                    snapshots[groupId] = snapshot;
                }
                applied++;
            }
            else if (LoadConsumerRecord(consumerGroups, key, value))
            {
                applied++;
            }
        }
        RestoreConsumerGroups(consumerGroups);
        foreach (var (groupId, snapshot) in snapshots)
        {
            GroupEntry entry = GetOrCreate(groupId);
            entry.Executor.Invoke(() =>
            {
                entry.Classic.Restore(snapshot);
                return true;
            }).GetAwaiter().GetResult();
        }
        return applied;
    }

    private void Persist(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
    {
        if (_log is not null && records.Count > 0)
        {
            _log.Append(groupId, records);
        }
    }

    /// <summary>Writes a classic group's metadata record; the error to answer when the log cannot take it.</summary>
    private ErrorCode StoreGroup(string groupId, GroupSnapshot snapshot)
        => StoreRecords(groupId, [(GroupMetadataRecords.Key(groupId), GroupMetadataRecords.Value(snapshot))]);

    private GroupEntry GetOrCreate(string groupId)
        => _groups.GetOrAdd(groupId, id =>
        {
            var executor = new SerialExecutor();
            return new GroupEntry(new ClassicGroup(id, _options, _time, executor, snapshot => StoreGroup(id, snapshot)), executor);
        });

    private bool TryGet(string groupId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GroupEntry? entry) => _groups.TryGetValue(groupId, out entry);

    public Task<JoinResult> JoinAsync(JoinRequest request)
    {
        if (request.GroupId.Length == 0)
        {
            return Task.FromResult(JoinResult.Fail(ErrorCode.InvalidGroupId, request.MemberId));
        }
        if (Availability(request.GroupId) is var unavailable and not ErrorCode.None)
        {
            return Task.FromResult(JoinResult.Fail(unavailable, request.MemberId));
        }
        GroupEntry entry = GetOrCreate(request.GroupId);
        return entry.Executor.Invoke(() =>
        {
            if (entry.Consumer is { } consumer)
            {
                if (consumer.MemberCount > 0)
                {
                    return Task.FromResult(JoinResult.Fail(ErrorCode.InconsistentGroupProtocol, request.MemberId));
                }
                entry.Consumer = null; // an empty consumer group becomes a classic group again
            }
            return entry.Classic.Join(request);
        }).Unwrap();
    }

    public Task<SyncResult> SyncAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>> assignments)
    {
        if (Availability(groupId) is var unavailable and not ErrorCode.None)
        {
            return Task.FromResult(new SyncResult(unavailable, null, null, default));
        }
        if (!TryGet(groupId, out var entry))
        {
            return Task.FromResult(new SyncResult(groupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.UnknownMemberId, null, null, default));
        }
        return entry.Executor.Invoke(() => entry.Classic.Sync(generationId, memberId, groupInstanceId, assignments)).Unwrap();
    }

    public Task<ErrorCode> HeartbeatAsync(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        if (Availability(groupId) is var unavailable and not ErrorCode.None)
        {
            return Task.FromResult(unavailable);
        }
        return TryGet(groupId, out var entry)
            ? entry.Executor.Invoke(() => entry.Classic.Heartbeat(generationId, memberId, groupInstanceId))
            : Task.FromResult(groupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.UnknownMemberId);
    }

    public Task<IReadOnlyList<(string MemberId, string? InstanceId, ErrorCode Error)>> LeaveAsync(string groupId,
        IReadOnlyList<(string MemberId, string? InstanceId)> members)
    {
        ErrorCode unavailable = Availability(groupId);
        if (unavailable != ErrorCode.None || !TryGet(groupId, out var entry))
        {
            ErrorCode error = unavailable != ErrorCode.None ? unavailable : ErrorCode.UnknownMemberId;
            IReadOnlyList<(string, string?, ErrorCode)> failed = members.Select(m => (m.MemberId, m.InstanceId, error)).ToList();
            return Task.FromResult(failed);
        }
        return entry.Executor.Invoke(() => entry.Classic.Leave(members));
    }

    /// <summary>Validates the committer against the group, then stores the offsets. Returns the error for all partitions.</summary>
    public async Task<ErrorCode> CommitAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        IReadOnlyList<(string Topic, int Partition, CommittedOffset Offset)> offsets, short apiVersion = 9)
    {
        if (groupId.Length == 0)
        {
            return ErrorCode.InvalidGroupId;
        }
        if (Availability(groupId) is var unavailable and not ErrorCode.None)
        {
            return unavailable;
        }
        GroupEntry entry = GetOrCreate(groupId);
        // Validation and storing run on the group's executor, so a rebalance cannot slip in between.
        return await entry.Executor.Invoke(() =>
        {
            ErrorCode error = entry.Consumer is { } consumer
                ? consumer.ValidateCommit(memberId, generationId, apiVersion)
                : entry.Classic.ValidateCommit(generationId, memberId, groupInstanceId);
            if (error != ErrorCode.None || offsets.Count == 0)
            {
                return error;
            }
            try
            {
                // Written before it is visible or acknowledged: an acknowledged commit survives a crash.
                Persist(groupId, offsets.Select(o => (OffsetRecords.Key(groupId, o.Topic, o.Partition), (byte[]?)OffsetRecords.Value(o.Offset))).ToList());
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                return GroupStateLogException.Map(e, ErrorCode.InvalidCommitOffsetSize);
            }
            foreach (var (topic, partition, offset) in offsets)
            {
                _offsets.Commit(groupId, topic, partition, offset);
            }
            return error;
        }).ConfigureAwait(false);
    }

    public CommittedOffset? FetchOffset(string groupId, string topic, int partition) => _offsets.Get(groupId, topic, partition);

    public IReadOnlyList<(string Topic, int Partition, CommittedOffset Offset)> FetchAllOffsets(string groupId) => _offsets.All(groupId);

    /// <summary>Every group that has committed offsets (live or not), for lag monitoring.</summary>
    public IReadOnlyList<string> GroupIdsWithOffsets() => _offsets.GroupIds().ToList();

    /// <summary>Every live group with its protocol type, state name and type ("classic" or "consumer").</summary>
    public async Task<IReadOnlyList<(string GroupId, string ProtocolType, string State, string GroupType)>> ListAsync()
    {
        var result = new List<(string, string, string, string)>();
        foreach (var (id, entry) in _groups)
        {
            try
            {
                var listed = await entry.Executor.Invoke(() => entry.Consumer is { } consumer
                    ? (Dead: consumer.IsDead, Type: "consumer", State: consumer.State.ToString(), Group: "consumer")
                    : (Dead: entry.Classic.State == GroupState.Dead, Type: entry.Classic.ProtocolType ?? "", State: entry.Classic.State.ToString(), Group: "classic"))
                    .ConfigureAwait(false);
                if (!listed.Dead)
                {
                    result.Add((id, listed.Type, listed.State, listed.Group));
                }
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                // removed meanwhile
            }
        }
        return result.OrderBy(g => g.Item1, StringComparer.Ordinal).ToList();
    }

    public Task<GroupDescription> DescribeAsync(string groupId)
    {
        if (Availability(groupId) is var unavailable and not ErrorCode.None)
        {
            return Task.FromResult(new GroupDescription(unavailable, groupId, GroupState.Dead, "", "", []));
        }
        return TryGet(groupId, out var entry)
            ? entry.Executor.Invoke(() => entry.Consumer is null
                ? entry.Classic.Describe()
                : new GroupDescription(ErrorCode.GroupIdNotFound, groupId, GroupState.Dead, "", "", []) { ErrorMessage = $"Group {groupId} is not a classic group." })
            : Task.FromResult(new GroupDescription(ErrorCode.None, groupId, GroupState.Dead, "", "", []));
    }

    public async Task<ErrorCode> DeleteAsync(string groupId)
    {
        if (Availability(groupId) is var unavailable and not ErrorCode.None)
        {
            return unavailable;
        }
        if (!TryGet(groupId, out var entry))
        {
            if (!_offsets.HasGroup(groupId))
            {
                return ErrorCode.GroupIdNotFound;
            }
            Persist(groupId, Tombstones(groupId, _offsets.All(groupId).Select(o => (o.Topic, o.Partition))));
            _offsets.RemoveGroup(groupId);
            return ErrorCode.None;
        }
        ErrorCode error = await entry.Executor.Invoke(() =>
        {
            ErrorCode deleted = entry.Consumer is { } consumer ? consumer.Delete() : entry.Classic.Delete();
            if (deleted == ErrorCode.None)
            {
                RemoveDeadGroup(groupId, entry);
            }
            return deleted;
        }).ConfigureAwait(false);
        return error;
    }

    /// <summary>Forgets a group marked Dead: tombstones for its offsets and its metadata. Runs on the group's executor.</summary>
    private void RemoveDeadGroup(string groupId, GroupEntry entry)
    {
        var records = Tombstones(groupId, _offsets.All(groupId).Select(o => (o.Topic, o.Partition)));
        records.Add((GroupMetadataRecords.Key(groupId), null));
        if (entry.Consumer is not null)
        {
            records.Add((ConsumerGroupRecords.GroupKey(groupId), null));
        }
        Persist(groupId, records);
        _offsets.RemoveGroup(groupId);
        _groups.TryRemove(new KeyValuePair<string, GroupEntry>(groupId, entry));
        entry.Executor.Complete();
    }

    /// <summary>
    /// OffsetDelete (KIP-496): removes the group's offsets for the given partitions, except those of
    /// topics its members subscribe to (GROUP_SUBSCRIBED_TO_TOPIC for those partitions). A group
    /// error (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP for members of an unknown protocol) applies to all.
    /// </summary>
    public async Task<(ErrorCode GroupError, IReadOnlyDictionary<(string Topic, int Partition), ErrorCode> Partitions)> DeleteOffsetsAsync(
        string groupId, IReadOnlyList<(string Topic, int Partition)> partitions)
    {
        var none = new Dictionary<(string, int), ErrorCode>();
        if (Availability(groupId) is var unavailable and not ErrorCode.None)
        {
            return (unavailable, none);
        }
        if (groupId.Length == 0)
        {
            return (ErrorCode.InvalidGroupId, none);
        }
        if (!TryGet(groupId, out var entry))
        {
            if (!_offsets.HasGroup(groupId))
            {
                return (ErrorCode.GroupIdNotFound, none);
            }
            entry = GetOrCreate(groupId);
        }
        return await entry.Executor.Invoke(() =>
        {
            var errors = new Dictionary<(string, int), ErrorCode>();
            IReadOnlySet<string>? subscribed = entry.Consumer is { } consumer
                ? consumer.SubscribedTopicNames()
                : entry.Classic.MemberCount == 0 ? new HashSet<string>() : entry.Classic.SubscribedTopics();
            if (subscribed is null)
            {
                return (ErrorCode.NonEmptyGroup, (IReadOnlyDictionary<(string, int), ErrorCode>)errors);
            }
            var deleting = new List<(string Topic, int Partition)>();
            foreach (var p in partitions)
            {
                if (subscribed.Contains(p.Topic))
                {
                    errors[p] = ErrorCode.GroupSubscribedToTopic;
                }
                else
                {
                    deleting.Add(p);
                }
            }
            Persist(groupId, Tombstones(groupId, deleting));
            foreach (var (topic, partition) in deleting)
            {
                _offsets.Remove(groupId, topic, partition);
            }
            return (ErrorCode.None, (IReadOnlyDictionary<(string, int), ErrorCode>)errors);
        }).ConfigureAwait(false);
    }

    private static List<(byte[] Key, byte[]? Value)> Tombstones(string groupId, IEnumerable<(string Topic, int Partition)> partitions)
        => partitions.Select(p => (OffsetRecords.Key(groupId, p.Topic, p.Partition), (byte[]?)null)).ToList();

    public void Dispose()
    {
        _expiryTimer?.Dispose();
        foreach (var entry in _groups.Values)
        {
            entry.Executor.Complete();
        }
    }
}
