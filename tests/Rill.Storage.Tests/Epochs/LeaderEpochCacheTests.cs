using Rill.Storage.Epochs;

namespace Rill.Storage.Tests.Epochs;

/// <summary>The epoch cache's rules, as Kafka's LeaderEpochFileCache (KIP-101/KIP-279).</summary>
public sealed class LeaderEpochCacheTests
{
    private static LeaderEpochCache Cache(params (int Epoch, long Start)[] entries)
        => new(null, entries.Select(e => new EpochEntry(e.Epoch, e.Start)));

    [Fact]
    public void End_offset_of_an_epoch_is_the_start_of_the_next_higher_one_or_the_log_end_for_the_latest()
    {
        LeaderEpochCache cache = Cache((0, 0), (2, 10), (5, 25));
        Assert.Equal(new EpochEndOffset(5, 40), cache.EndOffsetFor(5, 40));
        Assert.Equal(new EpochEndOffset(2, 25), cache.EndOffsetFor(2, 40));
        Assert.Equal(new EpochEndOffset(0, 10), cache.EndOffsetFor(0, 40));
        // An epoch this replica never had: the largest one below it, ending where the next begins.
        Assert.Equal(new EpochEndOffset(2, 25), cache.EndOffsetFor(3, 40));
        Assert.Equal(new EpochEndOffset(0, 10), cache.EndOffsetFor(1, 40));
        // Above the latest, -1, or an empty cache: undefined.
        Assert.Equal(EpochEndOffset.Undefined, cache.EndOffsetFor(6, 40));
        Assert.Equal(EpochEndOffset.Undefined, cache.EndOffsetFor(-1, 40));
        Assert.Equal(EpochEndOffset.Undefined, Cache().EndOffsetFor(0, 40));
        // Below the first entry (retention removed it): the requested epoch, ending at the first entry's start.
        Assert.Equal(new EpochEndOffset(1, 7), Cache((3, 7)).EndOffsetFor(1, 40));
    }

    [Fact]
    public void Assign_appends_new_epochs_ignores_repeats_and_replaces_conflicting_entries()
    {
        LeaderEpochCache cache = Cache();
        Assert.True(cache.Assign(1, 0));
        Assert.False(cache.Assign(1, 5)); // same epoch, later offset: already known
        Assert.True(cache.Assign(3, 10));
        Assert.Equal(3, cache.LatestEpoch);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 10)], cache.Entries);
        // An epoch starting before a later entry's start replaces it (the log below was rewritten).
        Assert.True(cache.Assign(4, 8));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(4, 8)], cache.Entries);
        Assert.False(cache.Assign(-1, 20));
    }

    [Fact]
    public void Truncation_from_the_end_and_from_the_start()
    {
        LeaderEpochCache cache = Cache((0, 0), (2, 10), (5, 25));
        Assert.True(cache.TruncateFromEnd(25));
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(2, 10)], cache.Entries);
        Assert.Equal(2, cache.LatestEpoch);
        Assert.False(cache.TruncateFromEnd(30));

        Assert.True(cache.TruncateFromStart(12)); // inside epoch 2: it now starts there, epoch 0 goes
        Assert.Equal([new EpochEntry(2, 12)], cache.Entries);
        Assert.False(cache.TruncateFromStart(12));
        Assert.False(cache.TruncateFromStart(3));
    }
}
