using System.Buffers;

namespace Rill.Protocol.Compression;

/// <summary>
/// An IBufferWriter that passes writes through and throws a <see cref="CompressionException"/>
/// once more than <c>maxOutput</c> bytes are written: the size limit for decoders that write
/// into a buffer writer themselves.
/// </summary>
internal sealed class LimitedWriter(IBufferWriter<byte> output, int maxOutput, string codec) : IBufferWriter<byte>
{
    private long _written;

    public void Advance(int count)
    {
        _written += count;
        if (_written > maxOutput)
        {
            throw new CompressionException($"{codec} data decompresses to more than {maxOutput} bytes.");
        }
        output.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => output.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => output.GetSpan(sizeHint);
}
