namespace Rill.Protocol.Compression;

/// <summary>Record batch compression codecs (the low three attribute bits). Wire values; append-only.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
