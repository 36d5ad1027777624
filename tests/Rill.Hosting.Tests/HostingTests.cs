using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Rill.Hosting;

namespace Rill.Hosting.Tests;

public class HostingTests
{
    /// <summary>
    /// The 64 KiB receive blocks are worth ~30 % of produce throughput (see docs/benchmarks.md);
    /// this fails if a Kestrel update removes the hook, so the loss does not go unnoticed.
    /// </summary>
    [Fact]
    public void Large_receive_blocks_are_installed_on_this_kestrel()
    {
        Assert.True(LargeBlockMemoryPool.TryInstall(new SocketTransportOptions()));
    }

    [Fact]
    public void Large_block_pool_hands_out_at_least_the_block_size_and_takes_blocks_back()
    {
        using var pool = new LargeBlockMemoryPool();
        using (var block = pool.Rent())
        {
            Assert.True(block.Memory.Length >= LargeBlockMemoryPool.BlockSize);
        }
        using var big = pool.Rent(200_000);
        Assert.True(big.Memory.Length >= 200_000);
    }
}
