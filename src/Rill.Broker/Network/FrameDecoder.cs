using System.Buffers;
using System.Buffers.Binary;

namespace Rill.Broker.Network;

/// <summary>Outcome of looking for one size-prefixed Kafka frame at the start of a buffer.</summary>
internal enum FrameStatus
{
    /// <summary>A whole frame is present.</summary>
    Complete,
    /// <summary>More bytes are needed; nothing was consumed.</summary>
    Incomplete,
    /// <summary>The size prefix is negative, too small for a request header, or over the limit.</summary>
    Invalid,
}

/// <summary>
/// Kafka framing: a big-endian int32 size followed by that many bytes. Pure function over a
/// <see cref="ReadOnlySequence{T}"/> so it can be tested and benchmarked without sockets.
/// </summary>
internal static class FrameDecoder
{
    /// <summary>Smallest legal request: api key, api version, correlation id, client id length.</summary>
    public const int MinRequestSize = 2 + 2 + 4 + 2;

    public static FrameStatus TryRead(in ReadOnlySequence<byte> buffer, int maxFrameSize, out int frameSize)
    {
        frameSize = 0;
        if (buffer.Length < 4)
        {
            return FrameStatus.Incomplete;
        }

        int size;
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= 4)
        {
            size = BinaryPrimitives.ReadInt32BigEndian(first);
        }
        else
        {
            Span<byte> prefix = stackalloc byte[4];
            buffer.Slice(0, 4).CopyTo(prefix);
            size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        }

        if (size < MinRequestSize || size > maxFrameSize)
        {
            frameSize = size;
            return FrameStatus.Invalid;
        }

        frameSize = size;
        return buffer.Length - 4 >= size ? FrameStatus.Complete : FrameStatus.Incomplete;
    }
}
