using System.Text.RegularExpressions;
using Rill.Cluster.Tests.Harness;

namespace Rill.Cluster.Tests;

/// <summary>
/// KIP-101/KIP-279 on 3 `rill serve` processes: a follower whose log has a tail the new leader never had truncates to
/// exactly the divergence point (found with OffsetForLeaderEpoch) and ends with the leader's log byte for byte; a
/// restarted in-sync follower truncates nothing and does not refetch from 0; OffsetForLeaderEpoch answers on the wire.
/// </summary>
public sealed partial class LeaderEpochTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private const int SigStop = 19, SigCont = 18;

    private static string Client => ExternalTool.Script("cluster_client.py");
    private static string EpochClient => ExternalTool.Script("epoch_client.py");

    private static async Task<(int Leader, int[] Isr)?> DescribeAsync(RillProcess broker, string topic)
    {
        ExternalTool.Result result = await ExternalTool.RunAsync(ExternalTool.Python, [Client, "describe", broker.BootstrapServers, topic], timeout: TimeSpan.FromSeconds(30));
        string[] f = result.Stdout.Trim().Split(' ');
        return result.ExitCode != 0 || f.Length != 4 ? null : (int.Parse(f[1]), f[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order().ToArray());
    }

    private static async Task<List<(long Offset, string Value)>> ProduceAsync(string bootstrap, string topic, int count, string prefix, bool acksAll = true)
    {
        string output = acksAll
            ? await ExternalTool.RunOkAsync(ExternalTool.Python, [Client, "produce", bootstrap, topic, $"{count}", prefix], timeout: TimeSpan.FromSeconds(120))
            : await ExternalTool.RunOkAsync(ExternalTool.Python, [EpochClient, "produce-acks1", bootstrap, topic, $"{count}", prefix], timeout: TimeSpan.FromSeconds(60));
        return Acked().Matches(output).Select(m => (long.Parse(m.Groups[1].Value), m.Groups[2].Value)).OrderBy(r => r.Item1).ToList();
    }

    private static async Task<List<(long Offset, string Value)>> ConsumeAsync(string bootstrap, string topic, int expected)
    {
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [Client, "consume", bootstrap, topic, $"{expected}"], timeout: TimeSpan.FromSeconds(90));
        return Consumed().Matches(output).Select(m => (long.Parse(m.Groups[1].Value), m.Groups[2].Value)).ToList();
    }

    private static async Task<(short Error, int Epoch, long EndOffset)> OffsetForLeaderEpochAsync(RillProcess broker, string topic, int current, int epoch, int version)
    {
        string[] f = (await ExternalTool.RunOkAsync(ExternalTool.Python, [EpochClient, "ofle", broker.BootstrapServers, topic, "0", $"{current}", $"{epoch}", $"{version}"],
            timeout: TimeSpan.FromSeconds(30))).Trim().Split(' ');
        return (short.Parse(f[0]), int.Parse(f[1]), long.Parse(f[2]));
    }

    private static string PartitionFile(RillProcess broker, string topic, string name) => Path.Combine(broker.DataDirectory, $"{topic}-0", name);

    private static byte[] LogBytes(RillProcess broker, string topic)
    {
        using var stream = new FileStream(PartitionFile(broker, topic, "00000000000000000000.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static List<(int Epoch, long Start)> EpochCheckpoint(RillProcess broker, string topic)
        => File.ReadAllLines(PartitionFile(broker, topic, "leader-epoch-checkpoint")).Skip(2).Where(l => l.Length > 0)
            .Select(l => l.Split(' ')).Select(p => (int.Parse(p[0]), long.Parse(p[1]))).ToList();

    [Fact]
    public async Task A_follower_with_a_divergent_tail_truncates_to_the_divergence_point_and_ends_with_the_leaders_log()
    {
        // The followers are paused below while the old leader takes a tail: their sessions must outlast that pause on a
        // loaded machine (4 s did not: both were fenced, left the ISR, and the kill left the partition offline). The kill
        // itself is detected by the refused port, not the session.
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=20000");
        await ExternalTool.RunOkAsync(ExternalTool.Python, [Client, "create", cluster.Broker(1).BootstrapServers, "diverge", "1", "3", "min.insync.replicas=2"],
            timeout: TimeSpan.FromSeconds(60));
        var before = (await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(1), "diverge"), v => v is { Leader: > 0, Isr.Length: 3 }, "a full ISR"))!.Value;
        var acked = await ProduceAsync(cluster.BootstrapServers, "diverge", 100, "committed");
        Assert.Equal(100, acked.Count);

        // The old leader alone gets 20 more records (acks=1): the followers are paused, once their in-flight long polls
        // (500 ms) have been answered. Then it dies with that tail, which nobody else has.
        RillProcess old = cluster.Broker(before.Leader);
        RillProcess[] followers = cluster.Brokers.Where(b => b != old).ToArray();
        int[] paused = followers.Select(f => f.ProcessId!.Value).ToArray();
        try
        {
            foreach (int pid in paused) Signals.Send(pid, SigStop);
            await Task.Delay(1500);
            var tail = await ProduceAsync(old.BootstrapServers, "diverge", 20, "lost", acksAll: false);
            Assert.Equal(Enumerable.Range(100, 20).Select(i => (long)i), tail.Select(t => t.Offset));
            await old.KillAsync();
        }
        finally
        {
            foreach (int pid in paused) Signals.Send(pid, SigCont);
        }

        // A follower becomes leader in a new epoch, which begins where its log ended; 50 more records are committed.
        var after = (await Eventually.ValueAsync(() => DescribeAsync(followers[0], "diverge"),
            v => v is { Leader: > 0 } p && p.Leader != before.Leader, "a new leader", TimeSpan.FromSeconds(30)))!.Value;
        RillProcess leader = cluster.Broker(after.Leader);
        string survivors = string.Join(',', followers.Select(f => f.BootstrapServers));
        acked.AddRange(await ProduceAsync(survivors, "diverge", 50, "new"));
        Assert.Equal(150, acked.Count);
        var (newEpoch, newStart) = EpochCheckpoint(leader, "diverge")[^1];
        Assert.True(newEpoch > 0 && newStart is >= 100 and < 120, $"new epoch {newEpoch} from {newStart}");

        // The old leader returns as a follower: it truncates its tail at the divergence point and fetches the new records.
        await old.RestartAsync();
        await Eventually.TrueAsync(() => Task.FromResult(LogBytes(old, "diverge").AsSpan().SequenceEqual(LogBytes(leader, "diverge"))),
            "the returning replica's log equal to the leader's", TimeSpan.FromSeconds(40));
        Assert.Contains($"diverge-0: truncated from 120 to {newStart} following leader {after.Leader}", old.Output);
        Assert.DoesNotMatch(@"diverge-0: truncated from \d+ to 0 ", old.Output);
        // The follower's append writes the segment before the epoch checkpoint (PartitionLog.AppendAsFollower): the
        // equal logs above can be seen a moment before the checkpoint has the new epoch.
        await Eventually.TrueAsync(() => EpochCheckpoint(leader, "diverge").SequenceEqual(EpochCheckpoint(old, "diverge")),
            "the returning replica's leader-epoch-checkpoint equal to the leader's", TimeSpan.FromSeconds(10));
        Assert.Equal(EpochCheckpoint(leader, "diverge"), EpochCheckpoint(old, "diverge"));
        await Eventually.ValueAsync(() => DescribeAsync(leader, "diverge"), v => v is { Isr.Length: 3 }, "the returning replica back in the ISR", TimeSpan.FromSeconds(40));

        // Consumers read every committed record once, in order, and none of the lost tail.
        var read = await ConsumeAsync(cluster.BootstrapServers, "diverge", acked.Count);
        Assert.Equal(acked, read);

        // OffsetForLeaderEpoch on the wire (a consumer's request, v2 and v3): the leader answers from its epoch cache,
        // the followers refuse; a stale current epoch is fenced.
        Assert.Equal(((short)0, 0, newStart), await OffsetForLeaderEpochAsync(leader, "diverge", newEpoch, 0, 2));
        Assert.Equal(((short)0, newEpoch, 150L), await OffsetForLeaderEpochAsync(leader, "diverge", newEpoch, newEpoch, 3));
        Assert.Equal(((short)74, -1, -1L), await OffsetForLeaderEpochAsync(leader, "diverge", 0, 0, 3)); // FENCED_LEADER_EPOCH
        Assert.Equal(((short)6, -1, -1L), await OffsetForLeaderEpochAsync(old, "diverge", newEpoch, 0, 3)); // NOT_LEADER_OR_FOLLOWER
    }

    [Fact]
    public async Task A_restarted_in_sync_follower_keeps_its_log_and_does_not_refetch_from_zero()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=3000",
            "replica.high.watermark.checkpoint.interval.ms=300");
        await ExternalTool.RunOkAsync(ExternalTool.Python, [Client, "create", cluster.Broker(1).BootstrapServers, "keep", "1", "3"], timeout: TimeSpan.FromSeconds(60));
        var state = (await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(1), "keep"), v => v is { Leader: > 0, Isr.Length: 3 }, "a full ISR"))!.Value;
        var acked = await ProduceAsync(cluster.BootstrapServers, "keep", 200, "a");
        RillProcess leader = cluster.Broker(state.Leader);
        RillProcess follower = cluster.Brokers.First(b => b != leader);

        // The follower checkpoints the high watermark it learnt (replication-offset-checkpoint, Kafka's layout).
        string checkpoint = Path.Combine(follower.DataDirectory, "replication-offset-checkpoint");
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(checkpoint) && File.ReadAllText(checkpoint).Contains("\nkeep 0 200\n", StringComparison.Ordinal)),
            "the follower's high watermark checkpointed");

        await follower.KillAsync();
        acked.AddRange(await ProduceAsync(leader.BootstrapServers, "keep", 100, "b"));
        await follower.RestartAsync();
        await Eventually.TrueAsync(() => Task.FromResult(LogBytes(follower, "keep").AsSpan().SequenceEqual(LogBytes(leader, "keep"))),
            "the restarted follower caught up", TimeSpan.FromSeconds(40));
        Assert.DoesNotContain("keep-0: truncated", follower.Output);
        await Eventually.ValueAsync(() => DescribeAsync(leader, "keep"), v => v is { Isr.Length: 3 }, "the follower back in the ISR", TimeSpan.FromSeconds(40));
        Assert.Equal(acked, await ConsumeAsync(cluster.BootstrapServers, "keep", 300));
    }

    [Fact]
    public async Task A_librdkafka_consumer_validates_its_position_with_the_new_leader_and_reads_every_record_once()
    {
        string script = Path.Combine(RepoPaths.Root, "tests", "Rill.Interop.Tests", "scripts", "ckjs", "consume_across_leader_change.js");
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, "broker.session.timeout.ms=2000");
        await ExternalTool.RunOkAsync(ExternalTool.Python, [Client, "create", cluster.Broker(1).BootstrapServers, "validate", "1", "3", "min.insync.replicas=2"],
            timeout: TimeSpan.FromSeconds(60));
        var before = (await Eventually.ValueAsync(() => DescribeAsync(cluster.Broker(1), "validate"), v => v is { Leader: > 0, Isr.Length: 3 }, "a full ISR"))!.Value;
        var acked = await ProduceAsync(cluster.BootstrapServers, "validate", 100, "one");

        using var dir = new TempDirectory();
        string phase = Path.Combine(dir.Path, "phase");
        Task<ExternalTool.Result> consuming = ExternalTool.RunAsync("node", [script, cluster.BootstrapServers, "validate", "150", "100", phase],
            timeout: TimeSpan.FromSeconds(120));
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(phase)), "the consumer read the first 100 records", TimeSpan.FromSeconds(60));

        await cluster.Broker(before.Leader).KillAsync();
        RillProcess[] survivors = cluster.Brokers.Where((_, i) => i + 1 != before.Leader).ToArray();
        await Eventually.ValueAsync(() => DescribeAsync(survivors[0], "validate"), v => v is { Leader: > 0 } p && p.Leader != before.Leader, "a new leader",
            TimeSpan.FromSeconds(30));
        acked.AddRange(await ProduceAsync(string.Join(',', survivors.Select(s => s.BootstrapServers)), "validate", 50, "two"));

        ExternalTool.Result result = await consuming;
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal(acked, Consumed().Matches(result.Stdout).Select(m => (long.Parse(m.Groups[1].Value), m.Groups[2].Value)).ToList());
        int exchanges = int.Parse(Regex.Match(result.Stdout, @"^ofle (\d+)", RegexOptions.Multiline).Groups[1].Value);
        Assert.True(exchanges >= 1, "librdkafka never validated its position with OffsetForLeaderEpoch:\n" + result.Stderr);
    }

    [GeneratedRegex(@"^acked \d+ (\d+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Acked();

    [GeneratedRegex(@"^(?:\d+ )?(\d+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Consumed();
}
