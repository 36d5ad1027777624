using Rill.Coordination.Groups.Consumer;

namespace Rill.Coordination.Tests;

public class AssignorTests
{
    private static readonly TopicInfo T = new(Guid.NewGuid(), "t", 7);
    private static readonly TopicInfo U = new(Guid.NewGuid(), "u", 3);

    private static AssignmentMember Member(string id, IReadOnlySet<TopicIdPartition>? current = null, params TopicInfo[] topics)
        => new(id, null, topics.Length == 0 ? [T] : topics, current ?? PartitionSets.Empty);

    private static void AssertCompleteAndDisjoint(Dictionary<string, HashSet<TopicIdPartition>> result, params TopicInfo[] topics)
    {
        var all = result.Values.SelectMany(s => s).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(topics.Sum(t => t.Partitions), all.Count);
    }

    [Fact]
    public void Uniform_balances_within_one_and_keeps_partitions_where_they_are()
    {
        var first = new UniformAssignor().Assign([Member("a"), Member("b"), Member("c")]);
        AssertCompleteAndDisjoint(first, T);
        Assert.True(first.Values.Max(s => s.Count) - first.Values.Min(s => s.Count) <= 1);

        // d joins: only partitions needed to balance move, none move between a, b and c.
        var second = new UniformAssignor().Assign([Member("a", first["a"]), Member("b", first["b"]), Member("c", first["c"]), Member("d")]);
        AssertCompleteAndDisjoint(second, T);
        Assert.True(second.Values.Max(s => s.Count) - second.Values.Min(s => s.Count) <= 1);
        foreach (string id in new[] { "a", "b", "c" })
        {
            Assert.True(second[id].IsSubsetOf(first[id]), $"{id} only gives partitions up");
        }
    }

    [Fact]
    public void Uniform_handles_members_subscribed_to_different_topics()
    {
        var result = new UniformAssignor().Assign([Member("a", null, T), Member("b", null, T, U), Member("c", null, U)]);
        AssertCompleteAndDisjoint(result, T, U);
        Assert.DoesNotContain(result["a"], p => p.TopicId == U.Id);
        Assert.DoesNotContain(result["c"], p => p.TopicId == T.Id);
        Assert.True(result.Values.Max(s => s.Count) - result.Values.Min(s => s.Count) <= 1);
    }

    [Fact]
    public void Range_gives_contiguous_ranges_in_member_order_with_the_extra_ones_first()
    {
        var result = new RangeAssignor().Assign([Member("b"), Member("a"), Member("c")]);
        AssertCompleteAndDisjoint(result, T);
        Assert.Equal([0, 1, 2], result["a"].Select(p => p.Partition).Order());
        Assert.Equal([3, 4], result["b"].Select(p => p.Partition).Order());
        Assert.Equal([5, 6], result["c"].Select(p => p.Partition).Order());
    }
}
