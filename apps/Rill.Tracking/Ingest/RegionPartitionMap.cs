using System.Text;

namespace Rill.Tracking.Ingest;

/// <summary>
/// Region -> partition range of rider-updates, e.g. "south=0-5,*=6-11" ("*" = every other region).
/// A rider's partition is a stable hash of its id within its region's range, so one rider's
/// updates stay in order on one partition and a region's load spreads over its range.
/// </summary>
public sealed class RegionPartitionMap
{
    private readonly Dictionary<string, (int First, int Last)> _ranges;
    private readonly (int First, int Last) _default;

    private RegionPartitionMap(Dictionary<string, (int, int)> ranges, (int, int) fallback)
    {
        _ranges = ranges;
        _default = fallback;
    }

    /// <summary>The seed design generalised: "south" gets the first half, every other region the second half.</summary>
    public static RegionPartitionMap Default(int partitions)
    {
        if (partitions < 2)
        {
            return new RegionPartitionMap(new(StringComparer.Ordinal), (0, 0));
        }
        int half = partitions / 2;
        return new RegionPartitionMap(new(StringComparer.Ordinal) { ["south"] = (0, half - 1) }, (half, partitions - 1));
    }

    public static RegionPartitionMap Parse(string text, int partitions)
    {
        var ranges = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        (int, int)? fallback = null;
        foreach (string entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = entry.IndexOf('=');
            if (eq <= 0)
            {
                throw new ArgumentException($"Region map entry '{entry}' is not region=first-last.");
            }
            string region = entry[..eq].Trim();
            string range = entry[(eq + 1)..].Trim();
            int dash = range.IndexOf('-');
            string firstText = dash < 0 ? range : range[..dash];
            string lastText = dash < 0 ? range : range[(dash + 1)..];
            if (!int.TryParse(firstText, out int first) || !int.TryParse(lastText, out int last)
                || first < 0 || last < first || last >= partitions)
            {
                throw new ArgumentException($"Region map entry '{entry}': the range must lie within partitions 0-{partitions - 1}.");
            }
            var r1 = (first, last);
            if (region == "*")
            {
                fallback = r1;
            }
            else if (!ranges.TryAdd(region, r1))
            {
                throw new ArgumentException($"Region '{region}' appears twice in the region map.");
            }
        }
        return new RegionPartitionMap(ranges, fallback ?? (0, partitions - 1));
    }

    /// <summary>The highest partition the map uses (the topic needs at least this + 1 partitions).</summary>
    public int MaxPartition => Math.Max(_default.Last, _ranges.Count == 0 ? 0 : _ranges.Values.Max(r => r.Last));

    public (int First, int Last) RangeOf(string region) => _ranges.TryGetValue(region, out var r) ? r : _default;

    public int PartitionFor(string region, string riderId)
    {
        var (first, last) = RangeOf(region);
        int width = last - first + 1;
        return first + (int)(StableHash(riderId) % (uint)width);
    }

    public override string ToString() =>
        string.Join(",", _ranges.Select(r => $"{r.Key}={r.Value.First}-{r.Value.Last}").Append($"*={_default.First}-{_default.Last}"));

    /// <summary>FNV-1a over the UTF-8 bytes: the same on every instance and every run.</summary>
    internal static uint StableHash(string text)
    {
        uint hash = 2166136261;
        Span<byte> buffer = stackalloc byte[256];
        int count = Encoding.UTF8.GetByteCount(text);
        Span<byte> bytes = count <= buffer.Length ? buffer[..count] : new byte[count];
        Encoding.UTF8.GetBytes(text, bytes);
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 16777619;
        }
        return hash;
    }
}
