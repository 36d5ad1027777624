using System.Buffers;
using System.Collections.Concurrent;

namespace Rill.Broker.WebConsole;

/// <summary>
/// The message browser's search prefilter: which stored batches of one read contain the bytes looked
/// for, in their records section (decompressed if need be), without decoding any record. Batches are
/// independent, so they are decompressed and searched on every core (Parallel.For over the batches of
/// one read); decompression buffers come from <see cref="SearchScratch"/> and are reused across batches,
/// passes and searches, so a search allocates no buffer per batch.
/// </summary>
internal static class BatchSearch
{
    /// <summary>hits[i]: batch i (position, length in <paramref name="buffer"/>) contains <paramref name="needle"/>.</summary>
    public static bool[] FindBatches(byte[] buffer, List<(int Position, int Length, long BaseOffset, long LastOffset)> batches, byte[] needle)
    {
        var hits = new bool[batches.Count];
        if (batches.Count < 2 || Environment.ProcessorCount < 2)
        {
            ArrayBufferWriter<byte> scratch = SearchScratch.Rent();
            for (int i = 0; i < batches.Count; i++)
            {
                hits[i] = Contains(buffer.AsMemory(batches[i].Position, batches[i].Length), needle, scratch);
            }
            SearchScratch.Return(scratch);
            return hits;
        }
        Parallel.For(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            SearchScratch.Rent,
            (i, _, scratch) =>
            {
                hits[i] = Contains(buffer.AsMemory(batches[i].Position, batches[i].Length), needle, scratch);
                return scratch;
            },
            SearchScratch.Return);
        return hits;
    }

    private static bool Contains(ReadOnlyMemory<byte> batch, byte[] needle, ArrayBufferWriter<byte> scratch)
        => !StoredRecordReader.IsControl(batch.Span) && StoredRecordReader.Body(batch, scratch).Span.IndexOf(needle) >= 0;
}

/// <summary>A small pool of decompression buffers for searches (one per core in use; oversized ones are dropped).</summary>
internal static class SearchScratch
{
    private const int MaxKeptBytes = 64 << 20;
    private static readonly ConcurrentBag<ArrayBufferWriter<byte>> Pool = [];

    public static ArrayBufferWriter<byte> Rent() => Pool.TryTake(out ArrayBufferWriter<byte>? scratch) ? scratch : new ArrayBufferWriter<byte>(1 << 20);

    public static void Return(ArrayBufferWriter<byte> scratch)
    {
        if (scratch.Capacity <= MaxKeptBytes && Pool.Count < Environment.ProcessorCount * 2)
        {
            scratch.ResetWrittenCount();
            Pool.Add(scratch);
        }
    }
}
