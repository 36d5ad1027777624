using System.Buffers.Binary;
using Rill.Coordination.Groups;
using Rill.Protocol;
using static Rill.Coordination.Tests.GroupTestKit;

namespace Rill.Coordination.Tests;

/// <summary>Group metadata in __consumer_offsets: written as Kafka writes it, and a new coordinator resumes from it.</summary>
public class GroupPersistenceTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryGroupStateLog _log = new();
    private static readonly GroupCoordinatorOptions Options = new() { InitialRebalanceDelayMs = 100 };

    [Fact]
    public void Group_metadata_key_and_value_use_kafkas_layout_and_round_trip()
    {
        byte[] key = GroupMetadataRecords.Key("g");
        Assert.Equal(new byte[] { 0, 2, 0, 1, (byte)'g' }, key);
        Assert.True(GroupMetadataRecords.TryParseKey(key, out string group));
        Assert.Equal("g", group);
        Assert.False(OffsetRecords.TryParseKey(key, out _, out _, out _));

        var snapshot = new GroupSnapshot("consumer", 7, "range", "m1", 1234,
            [new MemberSnapshot("m1", "i1", "c", "/h", 30_000, 10_000, new byte[] { 1, 2 }, new byte[] { 3 }),
             new MemberSnapshot("m2", null, "c", "/h", 30_000, 10_000, new byte[] { 4 }, new byte[0])]);
        byte[] value = GroupMetadataRecords.Value(snapshot);
        Assert.Equal(3, BinaryPrimitives.ReadInt16BigEndian(value));
        Assert.True(GroupMetadataRecords.TryParseValue(value, out GroupSnapshot parsed));
        Assert.Equal(("consumer", 7, "range", "m1", 1234L), (parsed.ProtocolType, parsed.Generation, parsed.Protocol, parsed.Leader, parsed.CurrentStateTimestamp));
        Assert.Equal(2, parsed.Members.Count);
        Assert.Equal(("m1", "i1", 30_000, 10_000), (parsed.Members[0].MemberId, parsed.Members[0].GroupInstanceId, parsed.Members[0].RebalanceTimeoutMs, parsed.Members[0].SessionTimeoutMs));
        Assert.Equal(new byte[] { 1, 2 }, parsed.Members[0].Subscription.ToArray());
        Assert.Equal(new byte[] { 3 }, parsed.Members[0].Assignment.ToArray());
        Assert.Null(parsed.Members[1].GroupInstanceId);

        // Every truncation is refused, never thrown.
        for (int cut = 0; cut < value.Length; cut++)
        {
            Assert.False(GroupMetadataRecords.TryParseValue(value.AsMemory(0, cut), out _));
        }
    }

    [Fact]
    public void Version_0_group_metadata_written_by_old_kafka_is_read()
    {
        // v0: protocol type, generation, protocol, leader, members (id, client id, host, session timeout, subscription, assignment).
        var w = new List<byte>();
        void S(string s) { w.AddRange(new byte[] { 0, (byte)s.Length }); w.AddRange(System.Text.Encoding.UTF8.GetBytes(s)); }
        void I(int v) { var b = new byte[4]; BinaryPrimitives.WriteInt32BigEndian(b, v); w.AddRange(b); }
        w.AddRange(new byte[] { 0, 0 });
        S("consumer"); I(3); S("range"); S("m"); I(1); S("m"); S("c"); S("/h"); I(10_000); I(1); w.Add(9); I(0);
        Assert.True(GroupMetadataRecords.TryParseValue(w.ToArray(), out GroupSnapshot parsed));
        Assert.Equal(3, parsed.Generation);
        Assert.Equal(10_000, parsed.Members[0].RebalanceTimeoutMs);
        Assert.Equal(new byte[] { 9 }, parsed.Members[0].Subscription.ToArray());
    }

    [Fact]
    public async Task A_restarted_coordinator_resumes_the_stable_group_without_a_rebalance()
    {
        using var first = new GroupCoordinator(Options, _time, _log);
        var ids = await new GroupTestKit(first, _time).StableGroupAsync("g", 2);
        var commit = new List<(string, int, CommittedOffset)> { ("t", 0, new CommittedOffset(5, -1, "", 0)) };
        Assert.Equal(ErrorCode.None, await Settle(first.CommitAsync("g", 1, ids[0], null, commit)));

        using var second = new GroupCoordinator(Options, _time, _log);
        second.BeginLoading();
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, await Settle(second.HeartbeatAsync("g", 1, ids[0], null)));
        second.Load(_log.Records);

        GroupDescription described = await Settle(second.DescribeAsync("g"));
        Assert.Equal((GroupState.Stable, "range"), (described.State, described.Protocol));
        Assert.Equal(ids.Order(), described.Members.Select(m => m.MemberId).Order());
        Assert.Equal(0xA0, described.Members.Single(m => m.MemberId == ids[0]).Assignment.Span[0]);
        Assert.Equal(ErrorCode.None, await Settle(second.HeartbeatAsync("g", 1, ids[0], null)));
        Assert.Equal(ErrorCode.None, await Settle(second.HeartbeatAsync("g", 1, ids[1], null)));
        Assert.Equal(5, second.FetchOffset("g", "t", 0)!.Value.Offset);
        SyncResult sync = await Settle(second.SyncAsync("g", 1, ids[1], null, new Dictionary<string, ReadOnlyMemory<byte>>()));
        Assert.Equal((ErrorCode.None, 0xA1), (sync.Error, sync.Assignment.Span[0]));

        // A member that does not come back expires after its session timeout; the other rebalances.
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(ErrorCode.None, await Settle(second.HeartbeatAsync("g", 1, ids[0], null)));
        _time.Advance(TimeSpan.FromSeconds(6));
        await Task.Delay(50);
        Assert.Equal(ErrorCode.RebalanceInProgress, await Settle(second.HeartbeatAsync("g", 1, ids[0], null)));
    }

    [Fact]
    public async Task Every_group_request_answers_load_in_progress_until_the_load_finishes()
    {
        using var groups = new GroupCoordinator(Options, _time, _log);
        groups.BeginLoading();
        Assert.True(groups.IsLoading);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await Settle(groups.JoinAsync(Join("g", "")))).Error);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await Settle(groups.SyncAsync("g", 1, "m", null, new Dictionary<string, ReadOnlyMemory<byte>>()))).Error);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await Settle(groups.LeaveAsync("g", [("m", null)])))[0].Error);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, await Settle(groups.CommitAsync("g", -1, "", null, [])));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await Settle(groups.DescribeAsync("g"))).Error);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, await Settle(groups.DeleteAsync("g")));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await Settle(groups.DeleteOffsetsAsync("g", []))).GroupError);
        Assert.Empty(_log.Records);
        groups.Load([]);
        Assert.False(groups.IsLoading);
        Assert.Equal(ErrorCode.MemberIdRequired, (await Settle(groups.JoinAsync(Join("g", "")))).Error);
    }

    [Fact]
    public async Task A_group_whose_metadata_cannot_be_written_does_not_become_stable()
    {
        using var groups = new GroupCoordinator(Options, _time, _log);
        JoinResult first = await Settle(groups.JoinAsync(Join("g", "")));
        JoinResult joined = await AdvanceUntil(_time, groups.JoinAsync(Join("g", first.MemberId)), TimeSpan.FromMilliseconds(50));
        _log.Fail = true;
        SyncResult sync = await Settle(groups.SyncAsync("g", joined.GenerationId, joined.MemberId, null,
            new Dictionary<string, ReadOnlyMemory<byte>> { [joined.MemberId] = new byte[] { 1 } }));
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, sync.Error);
        Assert.Equal(GroupState.PreparingRebalance, (await Settle(groups.DescribeAsync("g"))).State);
        _log.Fail = false;
    }

    [Fact]
    public async Task Deleting_a_group_writes_tombstones_so_a_restart_does_not_bring_it_back()
    {
        using var first = new GroupCoordinator(Options, _time, _log);
        var ids = await new GroupTestKit(first, _time).StableGroupAsync("g", 1);
        Assert.Equal(ErrorCode.None, await Settle(first.CommitAsync("g", 1, ids[0], null, [("t", 0, new CommittedOffset(3, -1, "", 0))])));
        Assert.Equal(ErrorCode.None, (await Settle(first.LeaveAsync("g", [(ids[0], null)])))[0].Error);
        Assert.Equal(ErrorCode.None, await Settle(first.DeleteAsync("g")));

        using var second = new GroupCoordinator(Options, _time, _log);
        second.Load(_log.Records);
        Assert.Equal(GroupState.Dead, (await Settle(second.DescribeAsync("g"))).State);
        Assert.Null(second.FetchOffset("g", "t", 0));
        Assert.Empty(await Settle(second.ListAsync()));
    }
}
