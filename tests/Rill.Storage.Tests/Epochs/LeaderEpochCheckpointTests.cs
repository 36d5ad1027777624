using Rill.Storage.Epochs;

namespace Rill.Storage.Tests.Epochs;

/// <summary>The leader-epoch-checkpoint file: Kafka's text layout, atomic writes, damaged files refused.</summary>
public sealed class LeaderEpochCheckpointTests
{
    [Fact]
    public void Written_in_Kafkas_layout_and_read_back()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, LeaderEpochCheckpointFile.FileName);
        LeaderEpochCheckpointFile.Write(path, [new EpochEntry(0, 0), new EpochEntry(4, 120)]);
        Assert.Equal("0\n2\n0 0\n4 120\n", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".tmp"));
        Assert.True(LeaderEpochCheckpointFile.TryRead(path, out List<EpochEntry> entries));
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(4, 120)], entries);
    }

    [Fact]
    public void A_missing_file_is_an_empty_cache()
    {
        using var dir = new TempDirectory();
        Assert.True(LeaderEpochCheckpointFile.TryRead(Path.Combine(dir.Path, "none"), out List<EpochEntry> entries));
        Assert.Empty(entries);
    }

    [Theory]
    [InlineData("0\n2\n0 0\n4 1")]            // torn: the count says two lines, the second is cut
    [InlineData("0\n2\n0 0\n")]               // torn after the first line
    [InlineData("0\n")]                        // torn before the count
    [InlineData("1\n1\n0 0\n")]               // unknown version
    [InlineData("0\n1\n0 x\n")]               // garbage
    [InlineData("0\n2\n4 10\n2 20\n")]        // epochs not increasing
    [InlineData("0\n2\n2 20\n4 10\n")]        // offsets going backwards
    [InlineData("0\n1\n0 0\n3 5\n")]          // more lines than counted
    [InlineData("0\n1\n-1 0\n")]              // negative epoch
    public void A_damaged_file_is_refused(string contents)
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, LeaderEpochCheckpointFile.FileName);
        File.WriteAllText(path, contents);
        Assert.False(LeaderEpochCheckpointFile.TryRead(path, out List<EpochEntry> entries));
        Assert.Empty(entries);
    }
}
