using Xunit.Abstractions;

namespace Rill.Interop.Tests;

/// <summary>
/// SIGKILL in the middle of an acks=all production: after restart every acknowledged record is
/// there exactly once, at the offset it was acknowledged with.
/// </summary>
public class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_acknowledged_record_survives_SIGKILL_exactly_once_at_its_offset()
    {
        const int Threshold = 50_000;
        await using RillProcess broker = await RillProcess.StartAsync();
        string acked = Path.Combine(broker.DataDirectory, "..", $"acked-{Guid.NewGuid():N}.txt");
        string ready = acked + ".ready";
        string read = acked + ".read";
        try
        {
            await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-L", "-t", "crash"]); // auto-creates the topic
            // The producer keeps producing until a delivery fails, so it is still running when the kill
            // comes however fast the broker acknowledges; it creates `ready` once Threshold records are
            // acknowledged.
            Task<ExternalTool.Result> producer = ExternalTool.RunAsync(ExternalTool.Python,
                [Path.Combine(ExternalTool.ScriptsDirectory, "produce_acked.py"), broker.BootstrapServers, "crash", acked, Threshold.ToString(), "150"],
                timeout: TimeSpan.FromSeconds(240));

            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!File.Exists(ready) && !producer.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            Assert.True(File.Exists(ready), $"{Threshold} records were not acknowledged in time: " + (producer.IsCompleted ? (await producer).Stdout + (await producer).Stderr : "still producing"));
            Assert.False(producer.IsCompleted, "The producer stopped before the broker was killed.");
            await broker.KillAsync();
            ExternalTool.Result produced = await producer;
            // Exit 0 means a delivery failed: production was interrupted by the kill (3: it never was).
            Assert.True(produced.ExitCode == 0, produced.Stdout + produced.Stderr);
            output.WriteLine(produced.Stdout.Trim());

            await broker.RestartAsync();
            await ExternalTool.PythonAsync("read_partition.py", broker.BootstrapServers, "crash", read);

            var acknowledged = ReadPairs(acked);
            var stored = ReadPairs(read);
            Assert.True(acknowledged.Count >= Threshold, $"only {acknowledged.Count} acknowledged");
            // Records the broker never acknowledged, which the kill cut off.
            Assert.Matches(@"failed=[1-9]", produced.Stdout);

            // Offsets in the log are dense from 0, and every value is stored once.
            Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => (long)i), stored.Select(p => p.Offset));
            Assert.Equal(stored.Count, stored.Select(p => p.Value).Distinct().Count());
            var byOffset = stored.ToDictionary(p => p.Offset, p => p.Value);
            foreach (var (offset, value) in acknowledged)
            {
                Assert.True(byOffset.TryGetValue(offset, out string? found), $"acknowledged offset {offset} ({value}) is missing");
                Assert.Equal(value, found);
            }
        }
        finally
        {
            File.Delete(acked);
            File.Delete(read);
            File.Delete(ready);
        }
    }

    internal static List<(long Offset, string Value)> ReadPairs(string path)
    {
        var pairs = new List<(long, string)>();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            int space = line.IndexOf(' ');
            if (space > 0 && long.TryParse(line.AsSpan(0, space), out long offset))
            {
                pairs.Add((offset, line[(space + 1)..]));
            }
        }
        return pairs;
    }
}
