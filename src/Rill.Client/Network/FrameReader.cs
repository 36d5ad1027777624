using System.Buffers.Binary;
using Rill.Protocol;

namespace Rill.Client.Network;

/// <summary>Reads size-prefixed response frames through one receive buffer, so small responses cost one syscall for many.</summary>
internal sealed class FrameReader(Stream stream)
{
    private const int MaxFrame = 512 * 1024 * 1024;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public async ValueTask<byte[]> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (_end - _start < 4)
        {
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
        int size = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
        if (size < 4 || size > MaxFrame)
        {
            throw new KafkaException(ErrorCode.CorruptMessage, $"Response frame of {size} bytes.");
        }
        _start += 4;
        byte[] frame = GC.AllocateUninitializedArray<byte>(size);
        int have = Math.Min(size, _end - _start);
        _buffer.AsSpan(_start, have).CopyTo(frame);
        _start += have;
        while (have < size)
        {
            if (size - have >= _buffer.Length)
            {
                int n = await stream.ReadAsync(frame.AsMemory(have), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new KafkaException(ErrorCode.NetworkException, "The broker closed the connection.");
                }
                have += n;
            }
            else
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
                int take = Math.Min(size - have, _end - _start);
                _buffer.AsSpan(_start, take).CopyTo(frame.AsSpan(have));
                _start += take;
                have += take;
            }
        }
        return frame;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        int n = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new KafkaException(ErrorCode.NetworkException, "The broker closed the connection.");
        }
        _end += n;
    }
}
