using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Rill.Hosting;

/// <summary>
/// Socket receive buffers of 64 KiB instead of Kestrel's 4 KiB blocks. Kafka requests are large
/// (a producer batch is up to 1 MiB); with 4 KiB blocks a 200 MB produce run costs ~50,000 recv
/// calls, with 64 KiB blocks ~3,000. Blocks come from ArrayPool and go back to it.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
        => new Block(ArrayPool<byte>.Shared.Rent(Math.Max(minBufferSize, BlockSize)));

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            byte[]? array = Interlocked.Exchange(ref _array, null);
            if (array is not null)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }

    /// <summary>
    /// Kestrel 10 reads its pool from an internal SocketTransportOptions.MemoryPoolFactory; set it
    /// when present. Without it (another Kestrel), the default 4 KiB pool is used: slower, same behaviour.
    /// </summary>
    public static bool TryInstall(Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions options)
    {
        var property = options.GetType().GetProperty("MemoryPoolFactory",
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        if (property is null || !property.CanWrite || !property.PropertyType.IsAssignableFrom(typeof(Factory)))
        {
            return false;
        }
        property.SetValue(options, new Factory());
        return true;
    }

    public sealed class Factory : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
    }
}
