namespace Rill.Storage;

/// <summary>A (timestamp, offset) pair answered by the timestamp lookups; <see cref="Found"/> is false when none.</summary>
public readonly record struct TimestampOffset(long Timestamp, long Offset)
{
    public static TimestampOffset None => new(-1, -1);
    public bool Found => Offset >= 0;
}
