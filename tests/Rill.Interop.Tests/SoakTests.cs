namespace Rill.Interop.Tests;

/// <summary>
/// The short CI version of bench/soak.sh (issue 16: what sustained traffic does to a broker): 40 s of an idempotent
/// confluent-kafka producer spreading 512 B records over 8 partitions whose 1 MiB segments roll and are deleted by
/// retention.bytes every few seconds, a compacted topic the cleaner works on, three consumer groups reading along, and
/// a topic created, written, read by a new group and deleted every 5 s. Then every acknowledged record must have been
/// read once and in order by every group, compaction must have kept every key's newest value, and the broker's open
/// descriptors and threads must not have grown (segments deleted with a 1 s delay). The long run is bench/soak.sh.
/// </summary>
public class SoakTests
{
    private static string Script => Path.Combine(RepoPaths.Root, "bench", "soak", "soak.py");

    [Fact]
    public async Task The_soak_checks_fail_on_loss_duplicates_gaps_lost_newest_values_and_leaks()
    {
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, [Script, "--self-test"], timeout: TimeSpan.FromSeconds(60));
        Assert.StartsWith("self-test: ok", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forty_seconds_of_mixed_traffic_lose_nothing_and_leak_no_descriptors_or_threads()
    {
        await using RillProcess broker = await RillProcess.StartAsync("log.retention.check.interval.ms=1000", "log.cleaner.backoff.ms=1000",
            "log.segment.delete.delay.ms=1000", "group.initial.rebalance.delay.ms=0");
        int pid = broker.ProcessId ?? throw new InvalidOperationException("rill serve is not running");
        ExternalTool.Result result = await ExternalTool.RunAsync(ExternalTool.Python, [Script, "--bootstrap", broker.BootstrapServers,
            "--pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", broker.DataDirectory,
            "--duration", "40", "--window", "5", "--rate", "6000", "--size", "512", "--partitions", "8",
            "--segment-bytes", "1048576", "--retention-bytes", "2097152", "--churn", "5"], timeout: TimeSpan.FromMinutes(5));
        string output = result.Stdout + result.Stderr;
        Assert.True(result.ExitCode == 0 && result.Stdout.Contains("SOAK OK", StringComparison.Ordinal), output);
        // The run writes about 130 MB to soak, four times the bound: retention deleted segments all along.
        Assert.Contains("ok retention bounds soak", result.Stdout, StringComparison.Ordinal);
        // Retention began within seconds, so the descriptor and thread checks ran (they are skipped before it does).
        Assert.Contains("ok fds do not grow", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("ok threads do not grow", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotMatch(@" (fail|crit): ", broker.Output);
    }
}
