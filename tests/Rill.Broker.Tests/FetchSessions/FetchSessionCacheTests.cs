using Rill.Broker.FetchSessions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.FetchSessions;

public class FetchSessionCacheTests
{
    private readonly FakeTimeProvider _time = new();

    private static Action<FetchSession> Partitions(int count) => session =>
    {
        for (int i = 0; i < count; i++)
        {
            session.AddOrUpdate(new SessionPartitionKey(Guid.Empty, "t", i), new FetchRequest.FetchPartition { Partition = i, PartitionMaxBytes = 100 });
        }
    };

    [Fact]
    public void Sessions_are_created_until_the_slots_are_full_then_refused_while_every_session_is_fresh()
    {
        var cache = new FetchSessionCache(2, _time);
        FetchSession? a = cache.TryCreate(privileged: false, usesTopicIds: false, 3, Partitions(3));
        FetchSession? b = cache.TryCreate(false, false, 3, Partitions(3));
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.NotEqual(a.Id, b.Id);
        Assert.NotEqual(0, a.Id);
        Assert.Equal(1, a.Epoch);
        Assert.Equal(6, cache.PartitionCount);

        // Both sessions are younger than the eviction time: a consumer's new session cannot take a slot.
        Assert.Null(cache.TryCreate(false, false, 100, Partitions(100)));
        Assert.Equal(2, cache.Count);
        Assert.Equal(0, cache.Evictions);
    }

    [Fact]
    public void A_session_unused_for_longer_than_the_eviction_time_makes_room()
    {
        var cache = new FetchSessionCache(2, _time);
        FetchSession a = cache.TryCreate(false, false, 1, Partitions(1))!;
        _time.Advance(TimeSpan.FromSeconds(60));
        FetchSession b = cache.TryCreate(false, false, 1, Partitions(1))!;
        _time.Advance(TimeSpan.FromSeconds(61)); // a: unused for 121 s, b: 61 s
        FetchSession? c = cache.TryCreate(false, false, 1, Partitions(1));
        Assert.NotNull(c);
        Assert.Null(cache.Get(a.Id));
        Assert.Same(b, cache.Get(b.Id));
        Assert.Equal(1, cache.Evictions);
    }

    [Fact]
    public void The_least_recently_used_stale_session_goes_first_even_when_it_is_larger()
    {
        var cache = new FetchSessionCache(2, _time);
        FetchSession big = cache.TryCreate(false, false, 50, Partitions(50))!;
        FetchSession small = cache.TryCreate(false, false, 1, Partitions(1))!;
        _time.Advance(TimeSpan.FromSeconds(100));
        cache.Touch(small);
        _time.Advance(TimeSpan.FromSeconds(30)); // big: unused 130 s; small: 30 s
        Assert.NotNull(cache.TryCreate(false, false, 1, Partitions(1)));
        Assert.Null(cache.Get(big.Id));
        Assert.NotNull(cache.Get(small.Id));
    }

    [Fact]
    public void Among_old_but_recently_used_sessions_one_with_fewer_partitions_is_evicted_for_a_session_at_least_as_large()
    {
        var cache = new FetchSessionCache(2, _time);
        FetchSession small = cache.TryCreate(false, false, 2, Partitions(2))!;
        FetchSession large = cache.TryCreate(false, false, 10, Partitions(10))!;
        _time.Advance(TimeSpan.FromSeconds(121));
        cache.Touch(small); // both in use, both older than the eviction time: evictable by size
        cache.Touch(large);

        Assert.Null(cache.TryCreate(false, false, 1, Partitions(1))); // smaller than every evictable session
        Assert.NotNull(cache.Get(small.Id));

        FetchSession? medium = cache.TryCreate(false, false, 5, Partitions(5));
        Assert.NotNull(medium);
        Assert.Null(cache.Get(small.Id));
        Assert.NotNull(cache.Get(large.Id));
        Assert.Equal(1, cache.Evictions);
    }

    [Fact]
    public void A_follower_session_can_evict_a_fresh_consumer_session_but_a_consumer_cannot_evict_a_fresh_follower_session()
    {
        var cache = new FetchSessionCache(1, _time);
        FetchSession consumer = cache.TryCreate(privileged: false, false, 5, Partitions(5))!;
        FetchSession? follower = cache.TryCreate(privileged: true, false, 1, Partitions(1));
        Assert.NotNull(follower);
        Assert.Null(cache.Get(consumer.Id));

        Assert.Null(cache.TryCreate(privileged: false, false, 1000, Partitions(1000)));
        Assert.NotNull(cache.Get(follower.Id));
    }

    [Fact]
    public void Zero_slots_means_no_sessions()
    {
        var cache = new FetchSessionCache(0, _time);
        Assert.Null(cache.TryCreate(true, false, 1, Partitions(1)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Removing_a_session_frees_its_slot_and_its_partitions()
    {
        var cache = new FetchSessionCache(1, _time);
        FetchSession a = cache.TryCreate(false, false, 4, Partitions(4))!;
        Assert.True(cache.Remove(a.Id));
        Assert.False(cache.Remove(a.Id));
        Assert.Equal(0, cache.PartitionCount);
        Assert.NotNull(cache.TryCreate(false, false, 1, Partitions(1)));
    }

    [Fact]
    public void Session_keeps_read_order_moves_partitions_with_data_to_the_end_and_wraps_its_epoch()
    {
        var session = new FetchSession(7, false, false, 0);
        Partitions(3)(session);
        List<CachedPartition> order = session.Snapshot();
        session.MoveToEnd(order[0]);
        Assert.Equal([1, 2, 0], session.Snapshot().Select(p => p.Key.Partition));
        Assert.True(session.Remove(new SessionPartitionKey(Guid.Empty, "t", 2)));
        Assert.Equal([1, 0], session.Snapshot().Select(p => p.Key.Partition));

        for (int i = 1; i < 5; i++)
        {
            session.AdvanceEpoch();
        }
        Assert.Equal(5, session.Epoch);
        session.Epoch = int.MaxValue;
        session.AdvanceEpoch();
        Assert.Equal(1, session.Epoch);
    }

    [Fact]
    public void A_cached_partition_is_answered_again_only_on_records_changed_offsets_or_errors()
    {
        var cached = new CachedPartition(new SessionPartitionKey(Guid.Empty, "t", 0), new FetchRequest.FetchPartition());
        var data = new FetchResponse.PartitionData { HighWatermark = 5, LastStableOffset = 5, LogStartOffset = 0, Records = ReadOnlyMemory<byte>.Empty };
        Assert.True(cached.MustRespond(data, remember: true)); // first answer
        Assert.False(cached.MustRespond(data, remember: true)); // nothing new
        data.Records = new byte[] { 1 };
        Assert.True(cached.MustRespond(data, remember: true));
        data.Records = ReadOnlyMemory<byte>.Empty;
        data.HighWatermark = 6;
        Assert.True(cached.MustRespond(data, remember: false));
        Assert.True(cached.MustRespond(data, remember: true)); // not remembered the first time
        Assert.False(cached.MustRespond(data, remember: true));
        data.ErrorCode = 6;
        Assert.True(cached.MustRespond(data, remember: true));
        data.ErrorCode = 0;
        Assert.True(cached.MustRespond(data, remember: true)); // answered again once the error clears
        Assert.False(cached.MustRespond(data, remember: true));
        data.LogStartOffset = 3;
        Assert.True(cached.MustRespond(data, remember: true));
    }

    [Fact]
    public void Unchanged_agrees_with_MustRespond_and_remembers_nothing()
    {
        var cached = new CachedPartition(new SessionPartitionKey(Guid.Empty, "t", 0), new FetchRequest.FetchPartition());
        Assert.False(cached.Unchanged(false, ErrorCode.None, 5, 5, 0)); // never answered
        Assert.False(cached.Unchanged(false, ErrorCode.None, 5, 5, 0)); // asking twice remembers nothing
        var data = new FetchResponse.PartitionData { HighWatermark = 5, LastStableOffset = 5, LogStartOffset = 0, Records = ReadOnlyMemory<byte>.Empty };
        Assert.True(cached.MustRespond(data, remember: true));
        Assert.True(cached.Unchanged(false, ErrorCode.None, 5, 5, 0));
        Assert.False(cached.Unchanged(true, ErrorCode.None, 5, 5, 0)); // records
        Assert.False(cached.Unchanged(false, ErrorCode.NotLeaderOrFollower, 5, 5, 0)); // an error
        Assert.False(cached.Unchanged(false, ErrorCode.None, 6, 5, 0)); // high watermark
        Assert.False(cached.Unchanged(false, ErrorCode.None, 5, 6, 0)); // last stable offset
        Assert.False(cached.Unchanged(false, ErrorCode.None, 5, 5, 1)); // log start offset
        Assert.True(cached.Unchanged(false, ErrorCode.None, 5, 5, 0));
    }
}
