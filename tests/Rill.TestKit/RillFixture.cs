using Xunit;

namespace Rill.TestKit;

/// <summary>One `rill serve` process shared by the tests of a class (each test uses its own topics).</summary>
public sealed class RillFixture : IAsyncLifetime
{
    public RillProcess Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await RillProcess.StartAsync();

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}
