using Microsoft.Extensions.Logging.Abstractions;
using Rill.Broker.Config;
using Rill.Broker.FetchSessions;
using Rill.Broker.Replication;
using Rill.Broker.Replication.Fetching;
using Rill.Broker.Topics;
using Rill.Cluster.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Storage;

namespace Rill.Broker.Tests.Replication.Fetching;

/// <summary>
/// The replica fetchers (Kafka's design): one fetcher and one connection per source broker fetching all its partitions in
/// one request; partitions added, moved and removed as leadership changes; an error on one partition leaves the others
/// fetching. Against <see cref="ScriptedLeader"/>s with real logs on both sides.
/// </summary>
public sealed class ReplicaFetcherTests : IDisposable
{
    private const int Self = 2;
    private static readonly ReplicaFetcherSettings Fast = ReplicaFetcherSettings.Default with { BackoffMs = 50, WaitMaxMs = 10 };
    private readonly TempDirectory _dir = new();
    private readonly Dictionary<string, Topic> _topics = [];
    private readonly List<PartitionLog> _logs = [];
    private readonly Dictionary<int, ScriptedLeader> _leaders = [];

    private ScriptedLeader LeaderBroker(int id) => _leaders.TryGetValue(id, out var l) ? l : _leaders[id] = new ScriptedLeader();

    private ReplicaFetcherManager Manager(ReplicaFetcherSettings? settings = null)
        => new(Self, settings ?? Fast, (leader, stop) => LeaderBroker(leader).ConnectAsync(stop), NullLogger.Instance, useSessions: false);

    /// <summary>A follower partition with its own log and replica, following <paramref name="leader"/> in <paramref name="epoch"/>.</summary>
    private (Partition Partition, PartitionReplica Replica) Follower(string topic, int index, int leader = 1, int epoch = 0)
    {
        if (!_topics.TryGetValue(topic, out Topic? t))
        {
            t = _topics[topic] = new Topic(topic, Guid.NewGuid(), [], TopicSettings.Resolve(new Dictionary<string, string>(), BrokerConfig.Default, out _));
        }
        PartitionLog log = PartitionLog.Open(_dir.Sub($"{topic}-{index}-{Guid.NewGuid():N}"), new LogConfig());
        _logs.Add(log);
        var partition = new Partition(t, index, log);
        var replica = new PartitionReplica(Self, new PartitionState([leader, Self], leader, epoch, [leader, Self]), 0, TimeProvider.System);
        partition.Replica = replica;
        return (partition, replica);
    }

    private static Task CaughtUp(Partition follower, ScriptedLeader leader, string because)
        => Eventually.TrueAsync(() => follower.Log.LogEndOffset == leader.Log(follower.Topic.Name, follower.Index).LogEndOffset
            && follower.Replica!.HighWatermark == follower.Log.LogEndOffset, because, TimeSpan.FromSeconds(20));

    [Fact]
    public async Task Every_partition_followed_from_one_leader_is_fetched_by_one_fetcher_over_one_connection_in_one_request()
    {
        await using ReplicaFetcherManager manager = Manager();
        var fromOne = Enumerable.Range(0, 10).Select(i => Follower(i % 2 == 0 ? "a" : "b", i)).ToArray();
        var fromThree = Enumerable.Range(0, 3).Select(i => Follower("c", i, leader: 3)).ToArray();
        foreach (var (p, _) in fromOne)
        {
            LeaderBroker(1).Append(p.Topic.Name, p.Index, 5 + p.Index);
        }
        foreach (var (p, _) in fromThree)
        {
            LeaderBroker(3).Append(p.Topic.Name, p.Index, 7);
        }
        foreach (var (p, r) in fromOne)
        {
            manager.AddOrUpdate(p, r, 1, 0);
        }
        foreach (var (p, r) in fromThree)
        {
            manager.AddOrUpdate(p, r, 3, 0);
        }

        foreach (var (p, _) in fromOne)
        {
            await CaughtUp(p, LeaderBroker(1), $"{p.Topic.Name}-{p.Index} replicated from broker 1");
        }
        foreach (var (p, _) in fromThree)
        {
            await CaughtUp(p, LeaderBroker(3), $"c-{p.Index} replicated from broker 3");
        }
        Assert.Equal(2, manager.Fetchers.Count);
        Assert.Equal(1, LeaderBroker(1).Connections);
        Assert.Equal(1, LeaderBroker(3).Connections);
        Assert.Equal(10, LeaderBroker(1).MaxPartitionsPerFetch()); // all ten in one request
        Assert.Equal(3, LeaderBroker(3).MaxPartitionsPerFetch());

        // More records on every partition: still the same connection.
        foreach (var (p, _) in fromOne)
        {
            LeaderBroker(1).Append(p.Topic.Name, p.Index, 3);
        }
        foreach (var (p, _) in fromOne)
        {
            await CaughtUp(p, LeaderBroker(1), "the second round replicated");
        }
        Assert.Equal(1, LeaderBroker(1).Connections);
    }

    [Fact]
    public async Task Num_replica_fetchers_splits_one_leaders_partitions_by_hash()
    {
        await using ReplicaFetcherManager manager = Manager(Fast with { NumFetchers = 3 });
        var followers = Enumerable.Range(0, 12).Select(i => Follower("spread", i)).ToArray();
        foreach (var (p, r) in followers)
        {
            LeaderBroker(1).Append("spread", p.Index, 2);
            manager.AddOrUpdate(p, r, 1, 0);
        }
        foreach (var (p, _) in followers)
        {
            await CaughtUp(p, LeaderBroker(1), $"spread-{p.Index} replicated");
        }
        int[] ids = [.. followers.Select(f => ReplicaFetcherManager.FetcherIdOf("spread", f.Partition.Index, 3)).Distinct()];
        Assert.Equal(ids.Length, manager.Fetchers.Count);
        Assert.True(ids.Length > 1, "12 consecutive partitions spread over more than one fetcher");
        Assert.Equal(ids.Length, LeaderBroker(1).Connections);
        foreach (var (p, _) in followers)
        {
            Assert.Equal(ReplicaFetcherManager.FetcherIdOf("spread", p.Index, 3), manager.FetcherOf("spread", p.Index)!.FetcherId);
        }
    }

    [Fact]
    public async Task Leadership_changes_move_partitions_between_fetchers_and_an_emptied_fetcher_stops()
    {
        await using ReplicaFetcherManager manager = Manager();
        var (p0, r0) = Follower("move", 0);
        var (p1, r1) = Follower("move", 1);
        LeaderBroker(1).Append("move", 0, 4);
        LeaderBroker(1).Append("move", 1, 4);
        manager.AddOrUpdate(p0, r0, 1, 0);
        manager.AddOrUpdate(p1, r1, 1, 0);
        await CaughtUp(p0, LeaderBroker(1), "move-0 from broker 1");
        await CaughtUp(p1, LeaderBroker(1), "move-1 from broker 1");
        ReplicaFetcher first = manager.FetcherOf("move", 0)!;

        // Partition 0 moves to broker 3 in epoch 1 (broker 3's log: the same 4 records, then 2 more in epoch 1).
        LeaderBroker(3).Log("move", 0).AppendAsFollower(LeaderBroker(1).Log("move", 0).ReadAll());
        LeaderBroker(3).Log("move", 0).BecomeLeader(1);
        LeaderBroker(3).Append("move", 0, 2);
        manager.AddOrUpdate(p0, r0, 3, 1);
        Assert.Null(first.Find("move", 0));
        Assert.Equal(1, first.PartitionCount);
        await CaughtUp(p0, LeaderBroker(3), "move-0 from broker 3 in epoch 1");
        Assert.Equal(1, LeaderBroker(3).EpochRequestsNaming("move", 0)); // a new epoch truncates first (nothing to cut here)
        Assert.Equal(6, p0.Log.LogEndOffset);

        // A new epoch with the same leader: the same fetcher, truncation again, no new connection.
        LeaderBroker(1).Log("move", 1).BecomeLeader(2);
        manager.AddOrUpdate(p1, r1, 1, 2);
        Assert.Same(first, manager.FetcherOf("move", 1));
        await Eventually.TrueAsync(() => LeaderBroker(1).EpochRequestsNaming("move", 1) == 1, "move-1 truncated in epoch 2", TimeSpan.FromSeconds(20));
        LeaderBroker(1).Append("move", 1, 3);
        await CaughtUp(p1, LeaderBroker(1), "move-1 in epoch 2");
        Assert.Equal(1, LeaderBroker(1).Connections);

        // Broker 1 leads nothing this broker follows any more: its fetcher goes.
        manager.Remove(p1);
        Assert.Null(manager.FetcherOf("move", 1));
        Assert.Single(manager.Fetchers);
        Assert.Equal(3, manager.Fetchers[0].Leader);
        long before = p1.Log.LogEndOffset;
        LeaderBroker(1).Append("move", 1, 5);
        LeaderBroker(3).Append("move", 0, 1);
        await CaughtUp(p0, LeaderBroker(3), "broker 3's fetcher goes on");
        Assert.Equal(before, p1.Log.LogEndOffset); // removed: never appended again
    }

    public static TheoryData<string> PartitionErrors => new()
    {
        nameof(ErrorCode.FencedLeaderEpoch), nameof(ErrorCode.NotLeaderOrFollower), nameof(ErrorCode.UnknownLeaderEpoch),
        nameof(ErrorCode.OffsetOutOfRange), "DivergingEpoch", "OffsetOutOfRangeBelowLogStart",
    };

    [Theory]
    [MemberData(nameof(PartitionErrors))]
    public async Task An_error_on_one_partition_leaves_the_others_fetching(string error)
    {
        await using ReplicaFetcherManager manager = Manager();
        var followers = Enumerable.Range(0, 3).Select(i => Follower("err", i)).ToArray();
        ScriptedLeader leader = LeaderBroker(1);
        foreach (var (p, r) in followers)
        {
            leader.Append("err", p.Index, 5);
            leader.Append("err", p.Index, 5);
            manager.AddOrUpdate(p, r, 1, 0);
        }
        foreach (var (p, _) in followers)
        {
            await CaughtUp(p, leader, "first round");
        }
        int epochAsksBefore = leader.EpochRequestsNaming("err", 0);

        leader.Answer("err", 0, () => error switch
        {
            "DivergingEpoch" => new FetchResponse.PartitionData
            {
                HighWatermark = 10, DivergingEpoch = new FetchResponse.EpochEndOffset { Epoch = 0, EndOffset = 10 }, Records = ReadOnlyMemory<byte>.Empty,
            },
            "OffsetOutOfRangeBelowLogStart" => new FetchResponse.PartitionData
            {
                ErrorCode = (short)ErrorCode.OffsetOutOfRange, HighWatermark = 30, LogStartOffset = 20, Records = ReadOnlyMemory<byte>.Empty,
            },
            _ => new FetchResponse.PartitionData
            {
                ErrorCode = (short)Enum.Parse<ErrorCode>(error), HighWatermark = -1, LogStartOffset = -1, Records = ReadOnlyMemory<byte>.Empty,
            },
        });
        for (int round = 0; round < 3; round++)
        {
            leader.Append("err", 1, 4);
            leader.Append("err", 2, 4);
            await CaughtUp(followers[1].Partition, leader, $"err-1 keeps fetching ({error}, round {round})");
            await CaughtUp(followers[2].Partition, leader, $"err-2 keeps fetching ({error}, round {round})");
        }
        ReplicaFetcher fetcher = manager.FetcherOf("err", 0)!;
        FollowedPartition failing = fetcher.Find("err", 0)!;
        switch (error)
        {
            case "DivergingEpoch" or nameof(ErrorCode.OffsetOutOfRange):
                // Back to the truncation loop (OffsetForLeaderEpoch) for that partition only.
                await Eventually.TrueAsync(() => leader.EpochRequestsNaming("err", 0) > epochAsksBefore, "err-0 truncates again", TimeSpan.FromSeconds(20));
                Assert.Equal(0, leader.EpochRequestsNaming("err", 1)); // started empty: no epochs to ask about, and not asked since
                break;
            case "OffsetOutOfRangeBelowLogStart":
                // The leader's log start (20) is above this log's end (10): emptied and restarted there.
                await Eventually.TrueAsync(() => followers[0].Partition.Log.LogStartOffset == 20, "err-0 restarted at 20", TimeSpan.FromSeconds(20));
                break;
            default:
                Assert.Equal(Enum.Parse<ErrorCode>(error), failing.LastError);
                Assert.Equal(10, followers[0].Partition.Log.LogEndOffset);
                break;
        }
        Assert.Equal(1, leader.Connections);

        if (error != "OffsetOutOfRangeBelowLogStart")
        {
            // The error clears: the partition catches up.
            leader.Answer("err", 0, null);
            leader.Append("err", 0, 6);
            await CaughtUp(followers[0].Partition, leader, $"err-0 catches up after {error}");
        }
    }

    [Fact]
    public async Task A_partition_that_diverged_truncates_while_the_others_fetch()
    {
        await using ReplicaFetcherManager manager = Manager();
        ScriptedLeader leader = LeaderBroker(1);
        // The leader: epoch 0 [0,10), epoch 2 [10,20). The follower: epoch 0 [0,10), epoch 1 [10,13) it wrote as a deposed leader.
        leader.Append("div", 0, 10);
        var (p0, r0) = Follower("div", 0, epoch: 2);
        p0.Log.AppendAsFollower(leader.Log("div", 0).ReadAll());
        p0.Log.BecomeLeader(1);
        p0.Log.Append(BrokerTestBase.Batch(3));
        p0.Log.BecomeFollower();
        leader.Log("div", 0).BecomeLeader(2);
        leader.Append("div", 0, 10);
        var (p1, r1) = Follower("div", 1, epoch: 2);
        leader.Append("div", 1, 8);
        manager.AddOrUpdate(p0, r0, 1, 2);
        manager.AddOrUpdate(p1, r1, 1, 2);

        await CaughtUp(p1, leader, "div-1 replicated");
        await CaughtUp(p0, leader, "div-0 truncated to 10, then replicated");
        Assert.Equal(leader.Log("div", 0).ReadAll(), p0.Log.ReadAll());
        Assert.Equal(2, p0.Log.LeaderEpochs.LatestEpoch);
        Assert.Equal(1, leader.Connections);
    }

    [Fact]
    public async Task In_a_fetch_session_an_idle_follower_sends_no_partitions_and_a_lost_session_is_rebuilt_with_a_full_fetch()
    {
        var cache = new FetchSessionCache(10, TimeProvider.System);
        ScriptedLeader leader = _leaders[1] = new ScriptedLeader { Sessions = cache };
        await using var manager = new ReplicaFetcherManager(Self, Fast, (id, stop) => LeaderBroker(id).ConnectAsync(stop), NullLogger.Instance);
        var followers = Enumerable.Range(0, 6).Select(i => Follower("sess", i)).ToArray();
        foreach (var (p, r) in followers)
        {
            leader.Append("sess", p.Index, 3);
            manager.AddOrUpdate(p, r, 1, 0);
        }
        foreach (var (p, _) in followers)
        {
            await CaughtUp(p, leader, $"sess-{p.Index} replicated in a session");
        }
        // Caught up and idle: incremental fetches of the one session, naming no partition.
        await Eventually.TrueAsync(() => Snapshot(leader).Skip(1).Any(f => f.SessionId != 0 && f.Epoch > 1 && f.Sent == 0),
            "an empty incremental fetch", TimeSpan.FromSeconds(20));
        var log = Snapshot(leader);
        Assert.Equal((0, 0), (log[0].SessionId, log[0].Epoch)); // the first fetch is full (with the partitions added by then)
        // Every later fetch is incremental in the one session (partitions added later and new offsets are sent in it).
        Assert.All(log.Skip(1), f => Assert.Equal((log[1].SessionId, true), (f.SessionId, f.Epoch > 0)));
        Assert.NotEqual(0, log[1].SessionId);
        Assert.Equal(1, cache.Count);

        // New records on one partition: it is fetched through the session (the leader answers only it), then its new offset
        // is the only partition sent.
        int mark = Snapshot(leader).Count;
        leader.Append("sess", 4, 5);
        await CaughtUp(followers[4].Partition, leader, "sess-4's new records through the session");
        await Eventually.TrueAsync(() => Snapshot(leader).Skip(mark).Any(f => f.Sent == 1 && f.Epoch > 0), "sess-4's new offset sent alone",
            TimeSpan.FromSeconds(20));
        Assert.All(Snapshot(leader).Skip(mark), f => Assert.True(f.Sent <= 1, $"at most one partition sent, not {f.Sent}"));

        // A partition this broker stops following is forgotten.
        manager.Remove(followers[5].Partition);
        await Eventually.TrueAsync(() => Snapshot(leader).Any(f => f.Forgotten.Contains(("sess", 5))), "sess-5 forgotten", TimeSpan.FromSeconds(20));

        // The leader loses the session (eviction, restart): FETCH_SESSION_ID_NOT_FOUND, then a full fetch of the five.
        int id = Snapshot(leader)[^1].SessionId;
        mark = Snapshot(leader).Count;
        Assert.True(cache.Remove(id));
        leader.Append("sess", 0, 2);
        await CaughtUp(followers[0].Partition, leader, "sess-0 after the session was rebuilt");
        Assert.Contains(Snapshot(leader).Skip(mark), f => f.Epoch == 0 && f.Sent == 5);
        Assert.Equal(1, cache.Count);
        Assert.Equal(1, leader.Connections);
    }

    private static List<(int SessionId, int Epoch, int Sent, (string, int)[] Forgotten)> Snapshot(ScriptedLeader leader) => leader.SessionLogSnapshot();

    public void Dispose()
    {
        foreach (ScriptedLeader leader in _leaders.Values)
        {
            leader.Dispose();
        }
        foreach (PartitionLog log in _logs)
        {
            log.Dispose();
        }
        _dir.Dispose();
    }
}

internal static class PartitionLogReading
{
    public static byte[] ReadAll(this PartitionLog log)
    {
        LogReadResult read = log.Read(log.LogStartOffset, int.MaxValue, minOneBatch: true);
        byte[] bytes = new byte[read.Length];
        read.CopyTo(bytes);
        return bytes;
    }
}
