using System.IO.Hashing;

namespace Rill.Storage.Cleaning;

/// <summary>
/// The cleaner's map from a key to the offset of its latest record in the dirty part of a log. Keys are held as a
/// 128-bit digest (XXH128; Kafka's SkimpyOffsetMap holds an MD5 digest, which costs ten times as much to compute
/// here), so an entry costs the same whatever the key size and adding one allocates nothing once the table has grown. <see cref="Capacity"/> bounds the entries
/// (log.cleaner.dedupe.buffer.size / 24, Kafka's bytes per entry); the cleaner stops reading at a segment
/// boundary once it is reached and cleans the rest on a later pass.
/// </summary>
internal sealed class OffsetMap
{
    /// <summary>Bytes Kafka's dedupe buffer spends on one entry (16-byte digest + 8-byte offset).</summary>
    public const int BytesPerEntry = 24;

    private readonly Dictionary<UInt128, long> _latest;

    public OffsetMap(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _latest = new Dictionary<UInt128, long>(Math.Min(capacity, 1 << 16));
    }

    /// <summary>Largest number of keys the map takes before the cleaner stops at a segment boundary.</summary>
    public int Capacity { get; }

    public int Count => _latest.Count;

    public bool IsFull => _latest.Count >= Capacity;

    /// <summary>Records <paramref name="offset"/> as the latest for <paramref name="key"/> (offsets arrive in order).</summary>
    public void Put(ReadOnlySpan<byte> key, long offset) => _latest[Digest(key)] = offset;

    /// <summary>The latest offset of <paramref name="key"/>, or -1 when the dirty part does not hold it.</summary>
    public long Get(ReadOnlySpan<byte> key) => _latest.TryGetValue(Digest(key), out long offset) ? offset : -1;

    public void Clear() => _latest.Clear();

    private static UInt128 Digest(ReadOnlySpan<byte> key) => XxHash128.HashToUInt128(key);
}
