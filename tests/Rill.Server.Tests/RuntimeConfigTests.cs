using System.Text.Json;

namespace Rill.Server.Tests;

/// <summary>
/// The runtime settings `rill serve` ships with (rill.runtimeconfig.json, next to rill.dll): the broker's CPU per request
/// depends on them (docs/benchmarks.md, issue 16), so a change to the project file that drops one fails here.
/// </summary>
public class RuntimeConfigTests
{
    [Fact]
    public void Thread_pool_workers_do_not_spin_and_the_gc_is_workstation_non_concurrent()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "rill.runtimeconfig.json")));
        JsonElement properties = doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
    }
}
