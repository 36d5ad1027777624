namespace Rill.Interop.Tests;

/// <summary>
/// SIGKILL in the middle of an acks=all production: after restart every acknowledged record is
/// there exactly once, at the offset it was acknowledged with.
/// </summary>
public class CrashTests
{
    [Fact]
    public async Task Every_acknowledged_record_survives_SIGKILL_exactly_once_at_its_offset()
    {
        const int Total = 200_000;
        await using RillProcess broker = await RillProcess.StartAsync();
        string acked = Path.Combine(broker.DataDirectory, "..", $"acked-{Guid.NewGuid():N}.txt");
        string read = acked + ".read";
        try
        {
            await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-L", "-t", "crash"]); // auto-creates the topic
            Task<ExternalTool.Result> producer = ExternalTool.RunAsync(ExternalTool.Python,
                [Path.Combine(ExternalTool.ScriptsDirectory, "produce_acked.py"), broker.BootstrapServers, "crash", acked, Total.ToString()],
                timeout: TimeSpan.FromSeconds(240));

            // Kill once a good part is acknowledged, while production is still running.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (CountLines(acked) < 50_000 && !producer.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            Assert.False(producer.IsCompleted, "The producer finished before the broker could be killed mid-production.");
            await broker.KillAsync();
            ExternalTool.Result produced = await producer;
            Assert.True(produced.ExitCode == 0, produced.Stderr);

            await broker.RestartAsync();
            await ExternalTool.PythonAsync("read_partition.py", broker.BootstrapServers, "crash", read);

            var acknowledged = ReadPairs(acked);
            var stored = ReadPairs(read);
            Assert.True(acknowledged.Count >= 50_000, $"only {acknowledged.Count} acknowledged");
            Assert.True(acknowledged.Count < Total, "everything was acknowledged: the kill did not interrupt production");

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
        }
    }

    private static int CountLines(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        int lines = 0;
        int b;
        while ((b = stream.ReadByte()) != -1)
        {
            if (b == '\n')
            {
                lines++;
            }
        }
        return lines;
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
