using Rill.Coordination.Groups;
using Rill.Protocol;
using static Rill.Coordination.Tests.GroupTestKit;

namespace Rill.Coordination.Tests;

/// <summary>offsets.retention.minutes as Kafka applies it since KIP-211.</summary>
public class OffsetExpiryTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryGroupStateLog _log = new();
    private readonly GroupCoordinator _groups;

    public OffsetExpiryTests() => _groups = new GroupCoordinator(new GroupCoordinatorOptions { InitialRebalanceDelayMs = 100 }, _time, _log);

    private CommittedOffset At(long offset) => new(offset, -1, "", _time.GetUtcNow().ToUnixTimeMilliseconds());

    [Fact]
    public async Task Offsets_committed_without_a_group_protocol_expire_by_commit_time()
    {
        Assert.Equal(ErrorCode.None, await Settle(_groups.CommitAsync("simple", -1, "", null, [("t", 0, At(1))])));
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(ErrorCode.None, await Settle(_groups.CommitAsync("simple", -1, "", null, [("t", 1, At(2))])));
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(1, await _groups.ExpireOffsetsAsync(Retention));
        Assert.Null(_groups.FetchOffset("simple", "t", 0));
        Assert.Equal(2, _groups.FetchOffset("simple", "t", 1)!.Value.Offset);

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, await _groups.ExpireOffsetsAsync(Retention));
        Assert.Empty(_groups.FetchAllOffsets("simple"));

        // The tombstones are in the log: a restart does not resurrect them.
        using var restarted = new GroupCoordinator(new GroupCoordinatorOptions(), _time, _log);
        restarted.Load(_log.Records);
        Assert.Empty(restarted.FetchAllOffsets("simple"));
    }

    [Fact]
    public async Task A_stable_group_keeps_offsets_of_subscribed_topics_and_an_empty_group_loses_them_after_retention()
    {
        var kit = new GroupTestKit(_groups, _time);
        var ids = await kit.StableGroupAsync("g", 1, Subscription("t"));
        Assert.Equal(ErrorCode.None, await Settle(_groups.CommitAsync("g", 1, ids[0], null, [("t", 0, At(7)), ("old", 0, At(9))])));

        for (int i = 0; i < 11 * 12; i++)   // 11 minutes, heartbeating every 5 s
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(ErrorCode.None, await Settle(_groups.HeartbeatAsync("g", 1, ids[0], null)));
        }
        Assert.Equal(1, await _groups.ExpireOffsetsAsync(Retention));
        Assert.Equal(7, _groups.FetchOffset("g", "t", 0)!.Value.Offset);
        Assert.Null(_groups.FetchOffset("g", "old", 0));

        Assert.Equal(ErrorCode.None, (await Settle(_groups.LeaveAsync("g", [(ids[0], null)])))[0].Error);
        await Task.Delay(20);
        Assert.Equal(GroupState.Empty, (await Settle(_groups.DescribeAsync("g"))).State);
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, await _groups.ExpireOffsetsAsync(Retention));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await _groups.ExpireOffsetsAsync(Retention));
        Assert.Null(_groups.FetchOffset("g", "t", 0));
        Assert.Equal(GroupState.Dead, (await Settle(_groups.DescribeAsync("g"))).State);
    }

    [Fact]
    public async Task OffsetDelete_keeps_offsets_of_subscribed_topics()
    {
        var ids = await new GroupTestKit(_groups, _time).StableGroupAsync("g", 1, Subscription("t"));
        Assert.Equal(ErrorCode.None, await Settle(_groups.CommitAsync("g", 1, ids[0], null, [("t", 0, At(7)), ("other", 0, At(9))])));
        var (error, partitions) = await Settle(_groups.DeleteOffsetsAsync("g", [("t", 0), ("other", 0)]));
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(ErrorCode.GroupSubscribedToTopic, partitions[("t", 0)]);
        Assert.False(partitions.ContainsKey(("other", 0)));
        Assert.NotNull(_groups.FetchOffset("g", "t", 0));
        Assert.Null(_groups.FetchOffset("g", "other", 0));
        Assert.Equal(ErrorCode.GroupIdNotFound, (await Settle(_groups.DeleteOffsetsAsync("nobody", [("t", 0)]))).GroupError);
    }
}
