namespace Rill.Storage;

/// <summary>What retention needs to know about one segment.</summary>
public readonly record struct LogSegmentInfo(long BaseOffset, long EndOffset, long SizeInBytes, long MaxTimestamp, bool IsActive);
