using System.Collections.Concurrent;
using Rill.Protocol;

namespace Rill.Coordination.Groups;

/// <summary>
/// The classic group coordinator: routes each group's requests to that group's single-owner
/// executor and keeps committed offsets. Offset commits are written to an <see cref="IGroupStateLog"/>
/// (the broker's __consumer_offsets) before they are acknowledged and rebuilt from it on start;
/// group membership is not persisted yet (members rejoin after a restart).
/// </summary>
public sealed class GroupCoordinator : IDisposable
{
    private readonly GroupCoordinatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (ClassicGroup Group, SerialExecutor Executor)> _groups = new(StringComparer.Ordinal);
    private readonly OffsetStore _offsets = new();
    private readonly IGroupStateLog? _log;

    public GroupCoordinator(GroupCoordinatorOptions options, TimeProvider? time = null, IGroupStateLog? log = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _log = log;
    }

    /// <summary>
    /// Rebuilds committed offsets from __consumer_offsets records, oldest first (later records
    /// win; a tombstone deletes). Other record kinds (group metadata) are skipped: members rejoin.
    /// </summary>
    public int Load(IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> records)
    {
        int applied = 0;
        foreach (var (key, value) in records)
        {
            if (!OffsetRecords.TryParseKey(key.Span, out string group, out string topic, out int partition))
            {
                continue;
            }
            if (value is null)
            {
                _offsets.Remove(group, topic, partition);
            }
            else if (OffsetRecords.TryParseValue(value.Value.Span, out CommittedOffset offset))
            {
                _offsets.Commit(group, topic, partition, offset);
            }
            applied++;
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

    private (ClassicGroup Group, SerialExecutor Executor) GetOrCreate(string groupId)
        => _groups.GetOrAdd(groupId, id =>
        {
            var executor = new SerialExecutor();
            return (new ClassicGroup(id, _options, _time, executor), executor);
        });

    private bool TryGet(string groupId, out (ClassicGroup Group, SerialExecutor Executor) entry) => _groups.TryGetValue(groupId, out entry);

    public Task<JoinResult> JoinAsync(JoinRequest request)
    {
        if (request.GroupId.Length == 0)
        {
            return Task.FromResult(JoinResult.Fail(ErrorCode.InvalidGroupId, request.MemberId));
        }
        var (group, executor) = GetOrCreate(request.GroupId);
        return executor.Invoke(() => group.Join(request)).Unwrap();
    }

    public Task<SyncResult> SyncAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        IReadOnlyDictionary<string, ReadOnlyMemory<byte>> assignments)
    {
        if (!TryGet(groupId, out var entry))
        {
            return Task.FromResult(new SyncResult(groupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.UnknownMemberId, null, null, default));
        }
        return entry.Executor.Invoke(() => entry.Group.Sync(generationId, memberId, groupInstanceId, assignments)).Unwrap();
    }

    public Task<ErrorCode> HeartbeatAsync(string groupId, int generationId, string memberId, string? groupInstanceId)
        => TryGet(groupId, out var entry)
            ? entry.Executor.Invoke(() => entry.Group.Heartbeat(generationId, memberId, groupInstanceId))
            : Task.FromResult(groupId.Length == 0 ? ErrorCode.InvalidGroupId : ErrorCode.UnknownMemberId);

    public Task<IReadOnlyList<(string MemberId, string? InstanceId, ErrorCode Error)>> LeaveAsync(string groupId,
        IReadOnlyList<(string MemberId, string? InstanceId)> members)
    {
        if (!TryGet(groupId, out var entry))
        {
            IReadOnlyList<(string, string?, ErrorCode)> unknown = members.Select(m => (m.MemberId, m.InstanceId, ErrorCode.UnknownMemberId)).ToList();
            return Task.FromResult(unknown);
        }
        return entry.Executor.Invoke(() => entry.Group.Leave(members));
    }

    /// <summary>Validates the committer against the group, then stores the offsets. Returns the error for all partitions.</summary>
    public async Task<ErrorCode> CommitAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        IReadOnlyList<(string Topic, int Partition, CommittedOffset Offset)> offsets)
    {
        if (groupId.Length == 0)
        {
            return ErrorCode.InvalidGroupId;
        }
        var (group, executor) = GetOrCreate(groupId);
        // Validation and storing run on the group's executor, so a rebalance cannot slip in between.
        return await executor.Invoke(() =>
        {
            ErrorCode error = group.ValidateCommit(generationId, memberId, groupInstanceId);
            if (error != ErrorCode.None)
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
                return ErrorCode.CoordinatorNotAvailable;
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

    public async Task<IReadOnlyList<(string GroupId, string ProtocolType, GroupState State)>> ListAsync()
    {
        var result = new List<(string, string, GroupState)>();
        foreach (var (id, entry) in _groups)
        {
            var (state, type) = await entry.Executor.Invoke(() => (entry.Group.State, entry.Group.ProtocolType ?? "")).ConfigureAwait(false);
            if (state != GroupState.Dead)
            {
                result.Add((id, type, state));
            }
        }
        return result.OrderBy(g => g.Item1, StringComparer.Ordinal).ToList();
    }

    public Task<GroupDescription> DescribeAsync(string groupId)
        => TryGet(groupId, out var entry)
            ? entry.Executor.Invoke(entry.Group.Describe)
            : Task.FromResult(new GroupDescription(ErrorCode.None, groupId, GroupState.Dead, "", "", []));

    public async Task<ErrorCode> DeleteAsync(string groupId)
    {
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
        ErrorCode error = await entry.Executor.Invoke(entry.Group.Delete).ConfigureAwait(false);
        if (error == ErrorCode.None)
        {
            _groups.TryRemove(groupId, out _);
            entry.Executor.Complete();
            Persist(groupId, Tombstones(groupId, _offsets.All(groupId).Select(o => (o.Topic, o.Partition))));
            _offsets.RemoveGroup(groupId);
        }
        return error;
    }

    /// <summary>OffsetDelete: only for groups without members (subscriptions are not tracked yet).</summary>
    public async Task<ErrorCode> DeleteOffsetsAsync(string groupId, IReadOnlyList<(string Topic, int Partition)> partitions)
    {
        if (!TryGet(groupId, out var entry) && !_offsets.HasGroup(groupId))
        {
            return ErrorCode.GroupIdNotFound;
        }
        if (entry.Group is not null && await entry.Executor.Invoke(() => entry.Group.MemberCount).ConfigureAwait(false) > 0)
        {
            return ErrorCode.GroupSubscribedToTopic;
        }
        Persist(groupId, Tombstones(groupId, partitions));
        foreach (var (topic, partition) in partitions)
        {
            _offsets.Remove(groupId, topic, partition);
        }
        return ErrorCode.None;
    }

    private static List<(byte[] Key, byte[]? Value)> Tombstones(string groupId, IEnumerable<(string Topic, int Partition)> partitions)
        => partitions.Select(p => (OffsetRecords.Key(groupId, p.Topic, p.Partition), (byte[]?)null)).ToList();

    public void Dispose()
    {
        foreach (var entry in _groups.Values)
        {
            entry.Executor.Complete();
        }
    }
}
