namespace Rill.Client.Network.Security;

/// <summary>
/// The stream under the client's SslStream. SslStream writes every TLS record (at most 16 KiB) to its
/// inner stream separately: a 1 MiB produce request was 64 socket sends. Once <see cref="Coalesce"/> is
/// on (after the handshake), writes collect here and leave in sends of up to <c>capacity</c> bytes, the
/// rest at <see cref="FlushAsync(CancellationToken)"/> (the connection flushes after every request
/// frame). Reads go straight to the socket stream.
/// </summary>
internal sealed class TlsRecordCoalescer(Stream inner, int capacity = 256 * 1024) : Stream
{
    private byte[]? _buffer;
    private int _count;

    /// <summary>Buffer writes from now on (the handshake's writes went straight through).</summary>
    public bool Coalesce { get; set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Coalesce)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }
        _buffer ??= new byte[capacity];
        if (_count + buffer.Length > _buffer.Length)
        {
            await SendBufferedAsync(cancellationToken).ConfigureAwait(false);
            if (buffer.Length >= _buffer.Length)
            {
                await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        buffer.Span.CopyTo(_buffer.AsSpan(_count));
        _count += buffer.Length;
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendBufferedAsync(cancellationToken).ConfigureAwait(false);
        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask SendBufferedAsync(CancellationToken cancellationToken)
    {
        if (_count > 0)
        {
            int count = _count;
            _count = 0;
            await inner.WriteAsync(_buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
