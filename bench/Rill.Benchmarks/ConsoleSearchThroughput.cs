using System.Diagnostics;
using Rill.Broker.WebConsole;
using Rill.Protocol.Compression;
using Rill.Protocol.Records;

namespace Rill.Benchmarks;

/// <summary>
/// The message browser's search prefilter (<see cref="BatchSearch"/>: decompress each stored batch and look
/// for the bytes, on every core) over an in-memory partition, per codec: wall time and process CPU time per
/// GB of batches (as stored) and per GB of records (decompressed). The same records as bench/console.sh:
/// 1 KiB values of random hex text in batches of about 1 MB, the needle nowhere, read in 8 MB chunks as
/// the search reads them. Run with
/// <c>dotnet run -c Release --project bench/Rill.Benchmarks -- search [MB] [codecs]</c>; set
/// <c>RILL_ZSTD=managed</c> to measure the managed zstd instead of the system's libzstd.
/// </summary>
internal static class ConsoleSearchThroughput
{
    private const int ChunkBytes = 8 << 20;

    public static void Run(string[] args)
    {
        int megabytes = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 256;
        string[] codecs = args.Length > 2 ? args[2].Split(',') : ["none", "lz4", "snappy", "zstd"];
        Console.WriteLine($"zstd: {Codecs.ZstdImplementation}; {Environment.ProcessorCount} cores; {megabytes} MB of records per codec");
        foreach (string name in codecs)
        {
            var codec = name switch
            {
                "none" => CompressionType.None,
                "gzip" => CompressionType.Gzip,
                "lz4" => CompressionType.Lz4,
                "snappy" => CompressionType.Snappy,
                "zstd" => CompressionType.Zstd,
                _ => throw new ArgumentException($"Unknown codec {name}"),
            };
            List<byte[]> chunks = Build(codec, megabytes, out long stored);
            byte[] needle = "needle-that-is-not-there"u8.ToArray();
            Scan(chunks, needle); // warm-up: JIT, pools, contexts
            var walls = new List<double>();
            var cpus = new List<double>();
            for (int run = 0; run < 3; run++)
            {
                TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                long started = Stopwatch.GetTimestamp();
                Scan(chunks, needle);
                walls.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                cpus.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
            }
            double gbStored = stored / 1e9, gbRecords = megabytes * (1 << 20) / 1e9;
            Console.WriteLine($"{name,-6} stored {stored / 1e6:F0} MB: wall {string.Join(", ", walls.Select(w => $"{w / gbStored:F2}"))} s per stored GB"
                + $" ({string.Join(", ", walls.Select(w => $"{w / gbRecords:F2}"))} s per GB of records);"
                + $" CPU {cpus.Min() / gbStored:F2} s per stored GB, {cpus.Min() / gbRecords:F2} s per GB of records (best of 3)"
                + $"; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
    }

    private static void Scan(List<byte[]> chunks, byte[] needle)
    {
        foreach (byte[] chunk in chunks)
        {
            var batches = StoredRecordReader.Batches(chunk).ToList();
            bool[] hits = BatchSearch.FindBatches(chunk, batches, needle);
            if (hits.Any(h => h))
            {
                throw new InvalidOperationException("The needle is nowhere, yet a batch matched.");
            }
        }
    }

    /// <summary>About <paramref name="megabytes"/> MB of 1 KiB random-hex records in ~1 MB batches, packed into 8 MB chunks.</summary>
    private static List<byte[]> Build(CompressionType codec, int megabytes, out long stored)
    {
        var random = new Random(42);
        var chunks = new List<byte[]>();
        var current = new List<byte[]>();
        int currentBytes = 0;
        stored = 0;
        long offset = 0;
        for (int b = 0; b < megabytes; b++)
        {
            var records = new List<RecordData>(1000);
            for (int i = 0; i < 1000; i++)
            {
                var value = new byte[1024];
                for (int j = 0; j < value.Length; j++)
                {
                    value[j] = (byte)"0123456789abcdef"[random.Next(16)];
                }
                records.Add(new RecordData(1_700_000_000_000 + offset + i, null, value, []));
            }
            byte[] batch = RecordBatchBuilder.Build(records, new BatchOptions(BaseOffset: offset, Compression: codec));
            offset += records.Count;
            if (currentBytes + batch.Length > ChunkBytes && current.Count > 0)
            {
                chunks.Add(current.SelectMany(x => x).ToArray());
                current.Clear();
                currentBytes = 0;
            }
            current.Add(batch);
            currentBytes += batch.Length;
            stored += batch.Length;
        }
        chunks.Add(current.SelectMany(x => x).ToArray());
        return chunks;
    }
}
