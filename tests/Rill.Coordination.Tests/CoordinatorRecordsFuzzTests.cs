using Rill.Coordination.Groups;
using Rill.Coordination.Groups.Consumer;

namespace Rill.Coordination.Tests;

/// <summary>Whatever __consumer_offsets holds, loading it never throws: unreadable records are skipped.</summary>
public class CoordinatorRecordsFuzzTests
{
    [Fact]
    public void Truncated_and_garbled_records_of_every_kind_are_skipped_on_load()
    {
        var snapshot = new GroupSnapshot("consumer", 3, "range", "m", 1,
            [new MemberSnapshot("m", "i", "c", "/h", 1000, 1000, new byte[] { 1, 2, 3 }, new byte[] { 4 })]);
        var member = new ConsumerGroupMember
        {
            MemberId = "m", SubscribedTopicNames = ["t"], Assigned = [new TopicIdPartition(Guid.NewGuid(), 1)], MemberEpoch = 4,
        };
        var valid = new List<(byte[] Key, byte[] Value)>
        {
            (OffsetRecords.Key("g", "t", 0), OffsetRecords.Value(new CommittedOffset(1, 2, "meta", 3))),
            (GroupMetadataRecords.Key("g"), GroupMetadataRecords.Value(snapshot)),
            (ConsumerGroupRecords.GroupKey("k"), ConsumerGroupRecords.GroupValue(7)),
            (ConsumerGroupRecords.MemberKey("k", "m"), ConsumerGroupRecords.MemberValue(member)),
            (ConsumerGroupRecords.AssignmentKey("k", "m"), ConsumerGroupRecords.AssignmentValue(member)),
        };
        var random = new Random(848);
        var records = new List<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)>();
        foreach (var (key, value) in valid)
        {
            for (int cut = 0; cut < value.Length; cut++)
            {
                records.Add((key, value.AsMemory(0, cut)));
            }
            for (int cut = 0; cut < key.Length; cut++)
            {
                records.Add((key.AsMemory(0, cut), value));
            }
            for (int i = 0; i < 200; i++)
            {
                byte[] garbled = (byte[])value.Clone();
                garbled[random.Next(garbled.Length)] = (byte)random.Next(256);
                records.Add((key, garbled));
            }
        }
        using var groups = new GroupCoordinator(new GroupCoordinatorOptions());
        groups.Load(records);
        Assert.False(groups.IsLoading);

        // The valid records still load, afterwards.
        using var clean = new GroupCoordinator(new GroupCoordinatorOptions());
        clean.Load(valid.Select(r => ((ReadOnlyMemory<byte>)r.Key, (ReadOnlyMemory<byte>?)r.Value)));
        Assert.Equal(1, clean.FetchOffset("g", "t", 0)!.Value.Offset);
    }
}
