using System.Buffers.Binary;
using Rill.Coordination.Groups;

namespace Rill.Coordination.Tests;

public class OffsetRecordsTests
{
    [Fact]
    public void Offset_key_and_value_use_kafkas_layout_and_round_trip()
    {
        byte[] key = OffsetRecords.Key("g", "t", 3);
        Assert.Equal(new byte[] { 0, 1, 0, 1, (byte)'g', 0, 1, (byte)'t', 0, 0, 0, 3 }, key);
        Assert.True(OffsetRecords.TryParseKey(key, out string group, out string topic, out int partition));
        Assert.Equal(("g", "t", 3), (group, topic, partition));

        byte[] value = OffsetRecords.Value(new CommittedOffset(42, 7, "meta", 1000));
        Assert.Equal(3, BinaryPrimitives.ReadInt16BigEndian(value));
        Assert.True(OffsetRecords.TryParseValue(value, out CommittedOffset offset));
        Assert.Equal(new CommittedOffset(42, 7, "meta", 1000), offset);
    }

    [Fact]
    public void Group_metadata_keys_are_not_offset_keys()
    {
        byte[] groupKey = [0, 2, 0, 1, (byte)'g'];
        Assert.False(OffsetRecords.TryParseKey(groupKey, out _, out _, out _));
        Assert.False(OffsetRecords.TryParseKey(new byte[] { 0 }, out _, out _, out _));
    }

    [Fact]
    public void Load_replays_commits_and_tombstones_in_order()
    {
        using var groups = new GroupCoordinator(new GroupCoordinatorOptions());
        var records = new List<(ReadOnlyMemory<byte>, ReadOnlyMemory<byte>?)>
        {
            (OffsetRecords.Key("g", "t", 0), OffsetRecords.Value(new CommittedOffset(5, -1, "", 1))),
            (OffsetRecords.Key("g", "t", 0), OffsetRecords.Value(new CommittedOffset(9, -1, "", 2))),
            (OffsetRecords.Key("g", "t", 1), OffsetRecords.Value(new CommittedOffset(3, -1, "", 3))),
            (OffsetRecords.Key("g", "t", 1), null),
        };
        Assert.Equal(4, groups.Load(records));
        Assert.Equal(9, groups.FetchOffset("g", "t", 0)!.Value.Offset);
        Assert.Null(groups.FetchOffset("g", "t", 1));
    }
}
