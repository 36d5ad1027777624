using Rill.Coordination.Groups;
using Rill.Protocol;

namespace Rill.Coordination.Tests;

/// <summary>Drives a coordinator on a fake clock: joins, syncs and settles posted work.</summary>
internal sealed class GroupTestKit(GroupCoordinator groups, FakeTimeProvider time)
{
    public static byte[] Subscription(params string[] topics)
    {
        var bytes = new List<byte> { 0, 1 };
        bytes.AddRange(BigEndian(topics.Length));
        foreach (string t in topics)
        {
            bytes.AddRange(new byte[] { 0, (byte)t.Length });
            bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(t));
        }
        bytes.AddRange(BigEndian(-1)); // user data: null
        return [.. bytes];
    }

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    public static JoinRequest Join(string group, string memberId, string? instance = null, byte[]? metadata = null) =>
        new(group, memberId, instance, "client", "/127.0.0.1", 10_000, 30_000, "consumer",
            [new JoinProtocol("range", metadata ?? Subscription("t"))], RequireKnownMemberId: true);

    /// <summary>
    /// Moves the clock in small steps until <paramref name="task"/> completes: the executor may
    /// not yet have armed the timer the task waits for when the clock first moves.
    /// </summary>
    public static async Task<T> AdvanceUntil<T>(FakeTimeProvider time, Task<T> task, TimeSpan step)
    {
        for (int i = 0; i < 500 && !task.IsCompleted; i++)
        {
            await Task.Delay(10);
            if (!task.IsCompleted)
            {
                time.Advance(step);
            }
        }
        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public static async Task<T> Settle<T>(Task<T> task)
    {
        for (int i = 0; i < 400 && !task.IsCompleted; i++)
        {
            await Task.Delay(5);
        }
        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Joins <paramref name="count"/> dynamic members, completes the rebalance and syncs with one-byte assignments (0xA0 + index).</summary>
    public async Task<List<string>> StableGroupAsync(string group, int count, byte[]? metadata = null)
    {
        var ids = new List<string>();
        for (int i = 0; i < count; i++)
        {
            JoinResult first = await Settle(groups.JoinAsync(Join(group, "", metadata: metadata)));
            Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
            ids.Add(first.MemberId);
        }
        var joins = ids.Select(id => groups.JoinAsync(Join(group, id, metadata: metadata))).ToList();
        var results = new List<JoinResult>();
        foreach (var j in joins)
        {
            results.Add(await AdvanceUntil(time, j, TimeSpan.FromMilliseconds(50)));
        }
        Assert.All(results, r => Assert.Equal(ErrorCode.None, r.Error));
        int generation = results[0].GenerationId;
        string leader = results[0].Leader;
        var assignments = ids.Select((id, i) => (id, (ReadOnlyMemory<byte>)new byte[] { (byte)(0xA0 + i) }))
            .ToDictionary(x => x.id, x => x.Item2);
        var syncs = ids.Where(id => id != leader).Select(id => groups.SyncAsync(group, generation, id, null, new Dictionary<string, ReadOnlyMemory<byte>>())).ToList();
        SyncResult leaderSync = await Settle(groups.SyncAsync(group, generation, leader, null, assignments));
        Assert.Equal(ErrorCode.None, leaderSync.Error);
        foreach (var s in syncs)
        {
            Assert.Equal(ErrorCode.None, (await Settle(s)).Error);
        }
        return ids;
    }
}
