namespace Rill.Protocol.Compression;

/// <summary>Compressed data that cannot be decompressed (corrupt, truncated, or over the size limit).</summary>
public sealed class CompressionException : Exception
{
    public CompressionException(string message) : base(message)
    {
    }
}
