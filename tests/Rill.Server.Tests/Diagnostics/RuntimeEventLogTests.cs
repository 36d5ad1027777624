using Rill.Server.Diagnostics;

namespace Rill.Server.Tests.Diagnostics;

/// <summary>The broker's runtime event log (RILL_RUNTIME_EVENT_LOG) that bench/latency-after-traffic.sh summarises.</summary>
public class RuntimeEventLogTests
{
    [Fact]
    public async Task Records_a_collection_with_its_generation_and_pause_and_large_object_allocations()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("events.tsv");
        using (RuntimeEventLog log = RuntimeEventLog.Start(path))
        {
            var keep = new List<byte[]>();
            await Eventually.TrueAsync(() =>
            {
                // Large-object allocations (over 85,000 bytes) and an induced full collection, until both are logged.
                for (int i = 0; i < 20; i++)
                {
                    keep.Add(new byte[200_000]);
                }
                keep.Clear();
                GC.Collect(2, GCCollectionMode.Forced, blocking: true);
                string[] lines = ReadLines(path);
                return lines.Any(l => IsInducedGen2(l)) && lines.Any(l => l.Split('\t') is [_, "alloc", "1", _, "System.Byte[]"]);
            }, "an induced gen-2 collection and a LOH byte[] allocation sample in the log");
        }

        string[] all = File.ReadAllLines(path);
        string[] gc = all.First(IsInducedGen2).Split('\t');
        long unixMs = long.Parse(gc[0]);
        Assert.InRange(unixMs, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        double pauseMs = double.Parse(gc[6], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pauseMs, 0.0, 60_000.0);
        Assert.True(pauseMs > 0, "a blocking collection stops the threads for some time");
    }

    [Fact]
    public void Is_off_unless_the_environment_names_a_file()
    {
        if (Environment.GetEnvironmentVariable(RuntimeEventLog.EnvironmentVariable) is null)
        {
            Assert.Null(RuntimeEventLog.StartFromEnvironment());
        }
    }

    // time, "gc", index, generation 2, reason 1 (induced), type, pause, promoted, gen2, loh, poh
    private static bool IsInducedGen2(string line) => line.Split('\t') is [_, "gc", _, "2", "1", _, _, _, _, _, _];

    private static string[] ReadLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
