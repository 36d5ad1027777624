namespace Rill.Cluster.Tests;

/// <summary>
/// The short CI version of bench/cluster/jepsen.py: 3 etcd members + 3 brokers behind TCP proxies, librdkafka
/// (idempotent) and kafka-python writing unique values with acks=all to an RF=3, min.insync.replicas=2 topic while a
/// consumer reads, through one kill -9, one SIGSTOP/SIGCONT and one network partition of a leader and the loss of an
/// etcd member; then every acknowledged record must be read back once, in order, no read may have been above the high
/// watermark and no partition epoch may have had two leaders. The long run (every fault, 100 kills) is in bench/.
/// </summary>
public sealed class JepsenCheckTests
{
    private static string Script => Path.Combine(RepoPaths.Root, "bench", "cluster", "jepsen.py");

    [Fact]
    public async Task The_checker_reports_lost_duplicated_reordered_and_dirty_records_and_two_leaders_in_one_epoch()
    {
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [Script, "--self-test"], timeout: TimeSpan.FromSeconds(60));
        Assert.StartsWith("self-test: ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acknowledged_records_survive_a_kill_a_pause_a_partition_and_an_etcd_member_loss_exactly_once_in_order()
    {
        ExternalTool.Result result = await ExternalTool.RunAsync(ExternalTool.Python, [Script, "--faults", "kill,pause,partition,etcd-member",
            "--rounds", "1", "--session-ms", "3000", "--rill-dll", Path.Combine(AppContext.BaseDirectory, "rill.dll")], timeout: TimeSpan.FromMinutes(4));
        string output = result.Stdout + result.Stderr;
        Assert.True(result.ExitCode == 0 && result.Stdout.Contains("CHECK OK", StringComparison.Ordinal), output);
        Assert.Contains("unavailable (first acknowledgement) after kill", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("VIOLATION", result.Stdout, StringComparison.Ordinal);
    }
}
