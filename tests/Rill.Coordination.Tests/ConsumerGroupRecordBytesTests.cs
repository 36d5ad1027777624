using Rill.Coordination.Groups.Consumer;

namespace Rill.Coordination.Tests;

/// <summary>
/// KIP-848 records in __consumer_offsets (types 3, 5 and 8) as bytes: pinned from the hand-written
/// encoders the generated types replaced, so groups already on disk load unchanged, and each record
/// read back equals what was written.
/// </summary>
public class ConsumerGroupRecordBytesTests
{
    private static readonly Guid TopicA = Guid.Parse("00000000-0000-0000-0000-0000000000aa");
    private static readonly Guid TopicB = Guid.Parse("00000000-0000-0000-0000-0000000000bb");

    private static ConsumerGroupMember Member() => new()
    {
        MemberId = "m1",
        InstanceId = "inst",
        RackId = null,
        ClientId = "cid",
        ClientHost = "/h",
        SubscribedTopicNames = ["a", "b"],
        SubscribedTopicRegex = null,
        RebalanceTimeoutMs = 45_000,
        ServerAssignor = "uniform",
        MemberEpoch = 7,
        PreviousMemberEpoch = 6,
        State = MemberState.UnrevokedPartitions,
        Assigned = [new TopicIdPartition(TopicA, 0), new TopicIdPartition(TopicA, 2)],
        PendingRevocation = [new TopicIdPartition(TopicB, 1)],
    };

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    [Fact]
    public void Keys_are_byte_for_byte_what_earlier_versions_of_rill_wrote()
    {
        Assert.Equal("0003" + "0001" + "67", Hex(ConsumerGroupRecords.GroupKey("g")));
        Assert.Equal("0005" + "0001" + "67" + "0002" + "6D31", Hex(ConsumerGroupRecords.MemberKey("g", "m1")));
        Assert.Equal("0008" + "0001" + "67" + "0002" + "6D31", Hex(ConsumerGroupRecords.AssignmentKey("g", "m1")));
    }

    [Fact]
    public void Values_are_byte_for_byte_what_earlier_versions_of_rill_wrote()
    {
        Assert.Equal("0000" + "00000009" + "00", Hex(ConsumerGroupRecords.GroupValue(9)));
        Assert.Equal(PinnedMemberValue, Hex(ConsumerGroupRecords.MemberValue(Member())));
        Assert.Equal(PinnedAssignmentValue, Hex(ConsumerGroupRecords.AssignmentValue(Member())));
    }

    // Version 0; instance id "inst"; rack null; client id "cid"; host "/h"; topics [a, b]; regex null;
    // rebalance timeout 45,000; assignor "uniform"; no tagged fields.
    private const string PinnedMemberValue =
        "0000" + "05696E7374" + "00" + "04636964" + "032F68" + "03" + "0261" + "0262" + "00" + "0000AFC8" + "08756E69666F726D" + "00";

    // Version 0; epoch 7; previous 6; state 1; assigned: topic aa [0, 2]; pending: topic bb [1]; no tags.
    private const string PinnedAssignmentValue =
        "0000" + "00000007" + "00000006" + "01"
        + "02" + "000000000000000000000000000000AA" + "03" + "00000000" + "00000002" + "00"
        + "02" + "000000000000000000000000000000BB" + "02" + "00000001" + "00"
        + "00";

    [Fact]
    public void Records_read_back_as_written()
    {
        Assert.True(ConsumerGroupRecords.TryParseKey(ConsumerGroupRecords.MemberKey("g", "m1"), out short type, out string group, out string member));
        Assert.Equal((ConsumerGroupRecords.MemberMetadataType, "g", "m1"), (type, group, member));
        Assert.True(ConsumerGroupRecords.TryParseKey(ConsumerGroupRecords.GroupKey("g"), out type, out group, out member));
        Assert.Equal((ConsumerGroupRecords.GroupMetadataType, "g", ""), (type, group, member));
        Assert.True(ConsumerGroupRecords.TryParseGroupValue(ConsumerGroupRecords.GroupValue(12), out int epoch));
        Assert.Equal(12, epoch);

        var written = Member();
        var read = new ConsumerGroupMember { MemberId = "m1" };
        Assert.True(ConsumerGroupRecords.TryParseMemberValue(ConsumerGroupRecords.MemberValue(written), read));
        Assert.True(ConsumerGroupRecords.TryParseAssignmentValue(ConsumerGroupRecords.AssignmentValue(written), read));
        Assert.Equal((written.InstanceId, written.RackId, written.ClientId, written.ClientHost), (read.InstanceId, read.RackId, read.ClientId, read.ClientHost));
        Assert.Equal(written.SubscribedTopicNames, read.SubscribedTopicNames);
        Assert.Equal((written.SubscribedTopicRegex, written.RebalanceTimeoutMs, written.ServerAssignor), (read.SubscribedTopicRegex, read.RebalanceTimeoutMs, read.ServerAssignor));
        Assert.Equal((written.MemberEpoch, written.PreviousMemberEpoch, written.State), (read.MemberEpoch, read.PreviousMemberEpoch, read.State));
        Assert.Equal(written.Assigned, read.Assigned);
        Assert.Equal(written.PendingRevocation, read.PendingRevocation);
    }

    [Fact]
    public void Other_record_types_are_not_kip_848_keys()
    {
        Assert.False(ConsumerGroupRecords.TryParseKey(Convert.FromHexString("0002" + "0001" + "67"), out _, out _, out _));
        Assert.False(ConsumerGroupRecords.TryParseKey(Convert.FromHexString("0005" + "0001"), out _, out _, out _));
    }
}
