using Rill.Coordination.Groups;

namespace Rill.Coordination.Tests;

/// <summary>
/// __consumer_offsets records as bytes: what Rill writes (pinned from the hand-written encoders the
/// generated types replaced, so data already on disk keeps its exact form) and every older value
/// version Kafka wrote, which must still load.
/// </summary>
public class PinnedRecordBytesTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    // Offset commit key v1: group "grp", topic "tp", partition 3.
    private const string OffsetKeyV1 = "0001 0003 677270 0002 7470 00000003";
    // Offset commit value v3: offset 42, leader epoch 7, metadata "meta", commit time 1000.
    private const string OffsetValueV3 = "0003 000000000000002A 00000007 0004 6D657461 00000000000003E8";
    // Group metadata key v2: group "grp".
    private const string GroupKeyV2 = "0002 0003 677270";
    // Group metadata value v3: "consumer", generation 5, "range", leader "m1", state time 1234, two
    // members (m1 static "inst", rebalance 300, session 100, subscription 0102, assignment 03; m2).
    private const string GroupValueV3 =
        "0003 0008 636F6E73756D6572 00000005 0005 72616E6765 0002 6D31 00000000000004D2 00000002"
        + "0002 6D31 0004 696E7374 0003 636964 0002 2F68 0000012C 00000064 00000002 0102 00000001 03"
        + "0002 6D32 FFFF 0002 6332 0003 2F6832 00000028 0000001E 00000000 00000000";

    private static readonly GroupSnapshot Snapshot = new("consumer", 5, "range", "m1", 1234,
    [
        new MemberSnapshot("m1", "inst", "cid", "/h", 300, 100, new byte[] { 1, 2 }, new byte[] { 3 }),
        new MemberSnapshot("m2", null, "c2", "/h2", 40, 30, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty),
    ]);

    [Fact]
    public void Written_records_are_byte_for_byte_what_earlier_versions_of_rill_wrote()
    {
        Assert.Equal(Hex(OffsetKeyV1), OffsetRecords.Key("grp", "tp", 3));
        Assert.Equal(Hex(OffsetValueV3), OffsetRecords.Value(new CommittedOffset(42, 7, "meta", 1000)));
        Assert.Equal(Hex("0003 0000000000000005 FFFFFFFF 0000 0000000000000002"), OffsetRecords.Value(new CommittedOffset(5, -1, null, 2)));
        Assert.Equal(Hex(GroupKeyV2), GroupMetadataRecords.Key("grp"));
        Assert.Equal(Hex(GroupValueV3), GroupMetadataRecords.Value(Snapshot));
        Assert.Equal(Hex("0003 0000 00000002 FFFF FFFF 0000000000000063 00000000"), GroupMetadataRecords.Value(new GroupSnapshot("", 2, null, null, 99, [])));
    }

    [Theory]
    [InlineData("0000 0003 677270 0002 7470 00000003")] // v0
    [InlineData(OffsetKeyV1)]
    public void Offset_keys_of_versions_0_and_1_load(string hex)
    {
        Assert.True(OffsetRecords.TryParseKey(Hex(hex), out string group, out string topic, out int partition));
        Assert.Equal(("grp", "tp", 3), (group, topic, partition));
        Assert.False(GroupMetadataRecords.TryParseKey(Hex(hex), out _));
    }

    [Fact]
    public void A_group_key_is_not_an_offset_key()
    {
        Assert.True(GroupMetadataRecords.TryParseKey(Hex(GroupKeyV2), out string group));
        Assert.Equal("grp", group);
        Assert.False(OffsetRecords.TryParseKey(Hex(GroupKeyV2), out _, out _, out _));
    }

    [Theory]
    // v0: offset, metadata, commit time
    [InlineData("0000 0000000000000009 0002 6D64 0000000000000005", 9, -1, "md", 5)]
    // v1: offset, metadata, commit time, expire time (ignored)
    [InlineData("0001 0000000000000009 0002 6D64 0000000000000005 0000000000000063", 9, -1, "md", 5)]
    // v2: as v0
    [InlineData("0002 0000000000000009 0000 0000000000000005", 9, -1, "", 5)]
    // v3: leader epoch after the offset
    [InlineData(OffsetValueV3, 42, 7, "meta", 1000)]
    // v4: the first flexible version (compact string, tagged fields)
    [InlineData("0004 0000000000000009 00000002 03 6D64 0000000000000005 00", 9, 2, "md", 5)]
    public void Offset_values_of_every_version_load(string hex, long offset, int epoch, string metadata, long timestamp)
    {
        Assert.True(OffsetRecords.TryParseValue(Hex(hex), out CommittedOffset parsed));
        Assert.Equal(new CommittedOffset(offset, epoch, metadata, timestamp), parsed);
    }

    [Theory]
    // v0: no rebalance timeout (the session timeout stands for it), no state timestamp, no instance id
    [InlineData("0000 0008 636F6E73756D6572 00000001 0005 72616E6765 0002 6D31 00000001"
        + "0002 6D31 0001 63 0002 2F68 0000C350 00000001 AA 00000000", -1L, 50_000)]
    // v1: rebalance timeout before the session timeout
    [InlineData("0001 0008 636F6E73756D6572 00000001 0005 72616E6765 0002 6D31 00000001"
        + "0002 6D31 0001 63 0002 2F68 00007530 0000C350 00000001 AA 00000000", -1L, 30_000)]
    // v2: state timestamp after the leader
    [InlineData("0002 0008 636F6E73756D6572 00000001 0005 72616E6765 0002 6D31 0000000000000064 00000001"
        + "0002 6D31 0001 63 0002 2F68 00007530 0000C350 00000001 AA 00000000", 100L, 30_000)]
    public void Group_values_of_versions_0_to_2_load(string hex, long stateTimestamp, int rebalanceTimeout)
    {
        Assert.True(GroupMetadataRecords.TryParseValue(Hex(hex), out GroupSnapshot parsed));
        Assert.Equal(("consumer", 1, "range", "m1", stateTimestamp), (parsed.ProtocolType, parsed.Generation, parsed.Protocol, parsed.Leader, parsed.CurrentStateTimestamp));
        MemberSnapshot m = Assert.Single(parsed.Members);
        Assert.Equal(("m1", (string?)null, "c", "/h", rebalanceTimeout, 50_000), (m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.RebalanceTimeoutMs, m.SessionTimeoutMs));
        Assert.Equal(new byte[] { 0xAA }, m.Subscription.ToArray());
        Assert.Empty(m.Assignment.ToArray());
    }

    [Fact]
    public void A_group_value_of_version_3_loads_with_its_members()
    {
        Assert.True(GroupMetadataRecords.TryParseValue(Hex(GroupValueV3), out GroupSnapshot parsed));
        Assert.Equal(("consumer", 5, "range", "m1", 1234L), (parsed.ProtocolType, parsed.Generation, parsed.Protocol, parsed.Leader, parsed.CurrentStateTimestamp));
        Assert.Equal(2, parsed.Members.Count);
        Assert.Equal(("m1", "inst", "cid", "/h", 300, 100), (parsed.Members[0].MemberId, parsed.Members[0].GroupInstanceId, parsed.Members[0].ClientId,
            parsed.Members[0].ClientHost, parsed.Members[0].RebalanceTimeoutMs, parsed.Members[0].SessionTimeoutMs));
        Assert.Equal(new byte[] { 1, 2 }, parsed.Members[0].Subscription.ToArray());
        Assert.Equal(new byte[] { 3 }, parsed.Members[0].Assignment.ToArray());
        Assert.Equal(("m2", (string?)null, 40, 30), (parsed.Members[1].MemberId, parsed.Members[1].GroupInstanceId, parsed.Members[1].RebalanceTimeoutMs, parsed.Members[1].SessionTimeoutMs));
    }

    [Fact]
    public void Values_of_versions_newer_than_known_are_refused()
    {
        // KIP-915: value versions after 4 need not be readable as older ones.
        Assert.False(OffsetRecords.TryParseValue(Hex("0005 0000000000000009 00000002 03 6D64 0000000000000005 00"), out _));
        Assert.False(GroupMetadataRecords.TryParseValue(Hex("0005" + GroupValueV3[4..]), out _));
    }

    [Fact]
    public void Truncated_records_are_refused_not_thrown()
    {
        byte[] value = Hex(GroupValueV3);
        for (int cut = 0; cut < value.Length; cut++)
        {
            Assert.False(GroupMetadataRecords.TryParseValue(value[..cut], out _));
        }
        byte[] offset = Hex(OffsetValueV3);
        for (int cut = 0; cut < offset.Length; cut++)
        {
            Assert.False(OffsetRecords.TryParseValue(offset[..cut], out _));
        }
    }
}
