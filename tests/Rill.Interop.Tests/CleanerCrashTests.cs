using Xunit.Abstractions;

namespace Rill.Interop.Tests;

/// <summary>
/// SIGKILL while the log cleaner is rewriting segments of a compacted topic under acks=all
/// production: after restart, for every key the latest acknowledged record is there (or a later
/// record of the same key), at its offset, once, and nothing acknowledged reads back changed.
/// </summary>
public class CleanerCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_broker_killed_mid_clean_keeps_the_latest_acknowledged_record_of_every_key()
    {
        const int Total = 400_000, Keys = 40_000;
        await using RillProcess broker = await RillProcess.StartAsync("log.cleaner.backoff.ms=50");
        string acked = Path.Combine(broker.DataDirectory, "..", $"acked-{Guid.NewGuid():N}.txt");
        string read = acked + ".read";
        string partitionDir = Path.Combine(broker.DataDirectory, "compacted-crash-0");
        try
        {
            Task<ExternalTool.Result> producer = ExternalTool.RunAsync(ExternalTool.Python,
                [Path.Combine(ExternalTool.ScriptsDirectory, "produce_keyed_acked.py"), broker.BootstrapServers, "compacted-crash", acked,
                    Total.ToString(), Keys.ToString()],
                timeout: TimeSpan.FromSeconds(300));

            // Kill at the moment a cleaned segment is being written (a .cleaned or .swap file exists), once the
            // cleaner has already swapped some in, while production is still going.
            bool midClean = false;
            var deadline = DateTime.UtcNow.AddSeconds(150);
            while (!producer.IsCompleted && DateTime.UtcNow < deadline)
            {
                if (broker.Output.Contains("Cleaned compacted-crash-0", StringComparison.Ordinal) && Directory.Exists(partitionDir)
                    && Directory.EnumerateFiles(partitionDir).Any(f => f.EndsWith(".cleaned", StringComparison.Ordinal) || f.EndsWith(".swap", StringComparison.Ordinal)))
                {
                    midClean = true;
                    break;
                }
                await Task.Delay(1);
            }
            Assert.False(producer.IsCompleted, "The producer finished before the broker could be killed mid-clean.");
            await broker.KillAsync();
            string[] leftovers = Directory.GetFiles(partitionDir).Where(f => f.EndsWith(".cleaned") || f.EndsWith(".swap")).Select(Path.GetFileName).ToArray()!;
            output.WriteLine($"killed mid-clean: {midClean}; cleaner files left by the kill: {string.Join(", ", leftovers)}");
            Assert.True(midClean, "no clean was in progress before the deadline");
            ExternalTool.Result produced = await producer;
            Assert.True(produced.ExitCode == 0, produced.Stderr);

            DateTime killedAt = DateTime.UtcNow;
            await broker.RestartAsync();
            // Opening the log removed (or completed) what the killed clean left; the restarted cleaner may
            // already be writing a new .cleaned file, so only files from before the kill count.
            Assert.DoesNotContain(Directory.GetFiles(partitionDir).Select(f => new FileInfo(f)),
                f => (f.Name.EndsWith(".cleaned") || f.Name.EndsWith(".swap")) && f.Exists && f.LastWriteTimeUtc < killedAt);
            await ExternalTool.PythonAsync("read_partition.py", broker.BootstrapServers, "compacted-crash", read);

            var acknowledged = CrashTests.ReadPairs(acked);
            var stored = CrashTests.ReadPairs(read);
            Assert.True(acknowledged.Count >= 1000, $"only {acknowledged.Count} acknowledged");
            Assert.True(acknowledged.Count < Total, "everything was acknowledged: the kill did not interrupt production");

            // Offsets grow (gaps allowed) and every record is stored once.
            Assert.Equal(stored.Select(p => p.Offset).Order(), stored.Select(p => p.Offset));
            Assert.Equal(stored.Count, stored.Select(p => p.Offset).Distinct().Count());
            Assert.Equal(stored.Count, stored.Select(p => p.Value).Distinct().Count());
            var byOffset = stored.ToDictionary(p => p.Offset, p => p.Value);
            var lastStoredOffset = stored.GroupBy(p => Key(p.Value)).ToDictionary(g => g.Key, g => g.Max(p => p.Offset));
            foreach (var (offset, value) in acknowledged)
            {
                if (byOffset.TryGetValue(offset, out string? found))
                {
                    Assert.Equal(value, found); // an acknowledged record never reads back changed
                }
            }
            foreach (var latest in acknowledged.GroupBy(p => Key(p.Value)).Select(g => g.MaxBy(p => p.Offset)))
            {
                string key = Key(latest.Value);
                Assert.True(lastStoredOffset.TryGetValue(key, out long newest) && newest >= latest.Offset,
                    $"key {key}: its latest acknowledged record (offset {latest.Offset}) is gone with nothing newer");
                if (newest == latest.Offset)
                {
                    Assert.Equal(latest.Value, byOffset[newest]);
                }
            }
        }
        finally
        {
            File.Delete(acked);
            File.Delete(read);
        }
    }

    private static string Key(string value) => value[..value.IndexOf('|')];
}
