using BenchmarkDotNet.Attributes;
using Rill.Broker;
using Rill.Broker.Config;
using Rill.Coordination.Groups;
using Rill.Protocol;

namespace Rill.Benchmarks;

/// <summary>
/// The group coordinator: how long a 10-member classic group takes to stabilise after one member
/// joins (every member rejoins at once, as after its next heartbeat, then the leader syncs), and
/// offset commits per second through the coordinator into a real __consumer_offsets log on disk.
/// Heartbeat intervals, not this, dominate a real rebalance: this is the coordinator's own cost.
/// </summary>
[MemoryDiagnoser]
public class GroupBenchmarks
{
    private const int Members = 10;
    private static readonly byte[] Subscription = [0, 1, 0, 0, 0, 1, 0, 1, (byte)'t', 255, 255, 255, 255];
    private KafkaBroker _broker = null!;
    private string _dir = "";
    private GroupCoordinator _groups = null!;
    private List<string> _stable = [];
    private int _generation;
    private int _group;
    private List<(string Topic, int Partition, CommittedOffset Offset)> _one = [];
    private List<(string Topic, int Partition, CommittedOffset Offset)> _hundred = [];
    private long _offset;

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Directory.CreateTempSubdirectory("rill-bench-groups-").FullName;
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["log.dirs"] = _dir,
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["group.initial.rebalance.delay.ms"] = "0",
            ["offsets.topic.num.partitions"] = "1",
        });
        _broker = new KafkaBroker(config);
        await _broker.StartAsync();
        await _broker.GroupsLoaded;
        _groups = _broker.Groups;
        _one = [("t", 0, default)];
        _hundred = Enumerable.Range(0, 100).Select(p => ("t", p, default(CommittedOffset))).ToList();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static JoinRequest Join(string group, string member) =>
        new(group, member, null, "bench", "/127.0.0.1", 30_000, 30_000, "consumer", [new JoinProtocol("range", Subscription)], RequireKnownMemberId: false);

    /// <summary>A fresh stable group of nine members for each stabilisation.</summary>
    [IterationSetup(Target = nameof(TenthMemberJoinsAndGroupStabilises))]
    public void StableGroupOfNine()
    {
        string group = $"g{_group++}";
        (_stable, _generation) = ([], 0);
        for (int i = 0; i < Members - 1; i++)
        {
            (_stable, _generation) = RejoinAndSync(group, _stable, newMember: "").GetAwaiter().GetResult();
        }
    }

    [Benchmark(Description = "10-member group stabilises after a join")]
    public async Task TenthMemberJoinsAndGroupStabilises()
    {
        string group = $"g{_group - 1}";
        var (members, generation) = await RejoinAndSync(group, _stable, newMember: "");
        if (members.Count != Members || generation <= _generation)
        {
            throw new InvalidOperationException("the group did not stabilise with ten members");
        }
    }

    /// <summary>Every listed member (and a new one, if given) joins; the leader assigns; everyone syncs.</summary>
    private async Task<(List<string> Members, int Generation)> RejoinAndSync(string group, List<string> ids, string? newMember)
    {
        // The newcomer first: its join starts the rebalance that the others then rejoin
        // (a follower rejoining a stable group unchanged would otherwise keep the old generation).
        var joins = new List<Task<JoinResult>>();
        if (newMember is not null)
        {
            joins.Add(_groups.JoinAsync(Join(group, newMember)));
        }
        joins.AddRange(ids.Select(id => _groups.JoinAsync(Join(group, id))));
        JoinResult[] joined = await Task.WhenAll(joins);
        if (joined.Any(j => j.Error != ErrorCode.None))
        {
            throw new InvalidOperationException(string.Join(",", joined.Select(j => j.Error)));
        }
        JoinResult leader = joined.Single(j => j.MemberId == j.Leader);
        var assignments = leader.Members.ToDictionary(m => m.MemberId, m => (ReadOnlyMemory<byte>)new byte[] { 1 });
        var syncs = joined.Select(j => _groups.SyncAsync(group, j.GenerationId, j.MemberId, null,
            j.MemberId == j.Leader ? assignments : new Dictionary<string, ReadOnlyMemory<byte>>())).ToList();
        SyncResult[] synced = await Task.WhenAll(syncs);
        if (synced.Any(s => s.Error != ErrorCode.None))
        {
            throw new InvalidOperationException(string.Join(",", synced.Select(s => s.Error)));
        }
        return (joined.Select(j => j.MemberId).ToList(), leader.GenerationId);
    }

    /// <summary>One synchronous commit of one partition, as a consumer committing after each record does.</summary>
    [Benchmark(Description = "commit 1 partition (written to __consumer_offsets)", OperationsPerInvoke = 100)]
    public async Task CommitOnePartition()
    {
        for (int i = 0; i < 100; i++)
        {
            _one[0] = ("t", 0, new CommittedOffset(++_offset, -1, "", 0));
            if (await _groups.CommitAsync("committer", -1, "", null, _one) != ErrorCode.None)
            {
                throw new InvalidOperationException("commit failed");
            }
        }
    }

    /// <summary>One commit of 100 partitions (a consumer committing its whole assignment).</summary>
    [Benchmark(Description = "commit 100 partitions in one request")]
    public async Task CommitHundredPartitions()
    {
        long offset = ++_offset;
        for (int p = 0; p < _hundred.Count; p++)
        {
            _hundred[p] = ("t", p, new CommittedOffset(offset, -1, "", 0));
        }
        if (await _groups.CommitAsync("committer-100", -1, "", null, _hundred) != ErrorCode.None)
        {
            throw new InvalidOperationException("commit failed");
        }
    }
}
