using System.Diagnostics;
using System.Text;
using Rill.Protocol.Records;
using Rill.Storage;
using Rill.Storage.Cleaning;

namespace Rill.Benchmarks;

/// <summary>
/// The log cleaner's figures, which BenchmarkDotNet's per-invocation model does not fit (a clean consumes
/// its input): cleaner throughput in MB of log read per second, and produce-append throughput on a compacted
/// log with and without the cleaner running beside it. Run with
/// <c>dotnet run -c Release --project bench/Rill.Benchmarks -- cleaner</c>.
/// </summary>
internal static class CleanerThroughput
{
    private const int Keys = 10_000;
    private const int RecordsPerBatch = 100;
    private const int ValueSize = 100;

    public static void Run()
    {
        string root = Directory.CreateTempSubdirectory("rill-cleaner-bench-").FullName;
        try
        {
            var clean = new List<double>();
            for (int run = 0; run < 3; run++)
            {
                clean.Add(CleanOnce(Path.Combine(root, $"clean{run}-0"), batches: 10_000));
            }
            Console.WriteLine($"cleaner throughput (1,000,000 records x {ValueSize} B, {Keys:N0} keys, uncompressed): "
                + $"median {Median(clean):F0} MB/s (runs: {string.Join(", ", clean.Select(c => c.ToString("F0")))})");

            var without = new List<double>();
            var with = new List<double>();
            for (int run = 0; run < 3; run++)
            {
                without.Add(Produce(Path.Combine(root, $"plain{run}-0"), cleaner: false, out _));
                with.Add(Produce(Path.Combine(root, $"cleaned{run}-0"), cleaner: true, out double cleanedMb));
                Console.WriteLine($"  run {run}: without cleaner {without[^1] / 1e6:F2} M rec/s; with cleaner {with[^1] / 1e6:F2} M rec/s ({cleanedMb:F0} MB cleaned meanwhile)");
            }
            Console.WriteLine($"produce-append throughput, compacted log, {RecordsPerBatch}-record batches: "
                + $"without cleaner {Median(without) / 1e6:F2} M rec/s, with cleaner {Median(with) / 1e6:F2} M rec/s "
                + $"({Median(with) / Median(without):P0})");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static LogConfig Config => new()
    {
        SegmentBytes = 64 * 1024 * 1024,
        Compact = true,
        DeleteRetention = false,
        MinCleanableDirtyRatio = 0.5,
    };

    private static double CleanOnce(string dir, int batches)
    {
        using PartitionLog log = PartitionLog.Open(dir, Config);
        byte[][] pool = MakeBatches(64);
        for (int i = 0; i < batches; i++)
        {
            log.Append(pool[i % pool.Length].AsSpan().ToArray());
        }
        log.Roll();
        var map = new OffsetMap(1 << 20);
        CleanerStats stats = log.Clean(map, new BatchFilter(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), CancellationToken.None);
        return stats.MegabytesPerSecond;
    }

    private static double Produce(string dir, bool cleaner, out double cleanedMb)
    {
        string logDir = Path.GetDirectoryName(dir)!;
        string name = Path.GetFileName(dir);
        using LogManager logs = LogManager.Open(Path.Combine(logDir, name + "-dir"), _ => Config);
        PartitionLog log = logs.GetOrCreateLog(new TopicPartition("positions", 0), Config);
        LogCleaner? running = cleaner ? new LogCleaner(logs, new LogCleanerOptions { BackoffMs = 10 }) : null;
        running?.Start();
        byte[][] pool = MakeBatches(64);
        byte[] scratch = new byte[pool.Max(b => b.Length)];
        long records = 0;
        var watch = Stopwatch.StartNew();
        for (int i = 0; watch.Elapsed < TimeSpan.FromSeconds(5); i++)
        {
            byte[] batch = pool[i % pool.Length];
            batch.CopyTo(scratch, 0);
            log.Append(scratch.AsSpan(0, batch.Length));
            records += RecordsPerBatch;
        }
        double rate = records / watch.Elapsed.TotalSeconds;
        cleanedMb = 0;
        if (running is not null)
        {
            cleanedMb = running.BytesCleaned / 1e6;
            running.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return rate;
    }

    /// <summary>Batches of keyed records cycling through <see cref="Keys"/> keys.</summary>
    private static byte[][] MakeBatches(int count)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        byte[] value = Enumerable.Range(0, ValueSize).Select(i => (byte)('a' + i % 26)).ToArray();
        int key = 0;
        var batches = new byte[count][];
        for (int b = 0; b < count; b++)
        {
            var records = new List<RecordData>(RecordsPerBatch);
            for (int r = 0; r < RecordsPerBatch; r++)
            {
                records.Add(new RecordData(now, Encoding.ASCII.GetBytes($"rider-{key++ % Keys:D5}"), value));
            }
            batches[b] = RecordBatchBuilder.Build(records);
        }
        return batches;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
