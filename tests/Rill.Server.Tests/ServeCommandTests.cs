namespace Rill.Server.Tests;

/// <summary>`rill serve` as a process: configuration errors fail fast, SIGTERM is a clean exit.</summary>
public class ServeCommandTests
{
    private static string Rill => Path.Combine(AppContext.BaseDirectory, "rill.dll");

    [Fact]
    public async Task Unknown_property_fails_at_start_naming_it_and_the_closest_name()
    {
        var result = await ExternalTool.RunAsync("dotnet", [Rill, "serve", "--set", "num.partitons=3"], timeout: TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("num.partitons", result.Stderr);
        Assert.Contains("num.partitions", result.Stderr);
    }

    [Fact]
    public async Task Invalid_value_fails_at_start_naming_the_property()
    {
        var result = await ExternalTool.RunAsync("dotnet", [Rill, "serve", "--set", "message.max.bytes=lots"], timeout: TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("message.max.bytes", result.Stderr);
    }

    [Fact]
    public async Task Sigterm_shuts_down_cleanly_and_data_is_there_after_restart()
    {
        await using var broker = await RillProcess.StartAsync();
        await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-P", "-t", "sigterm"], stdin: "a\nb\nc\n");
        Assert.Equal(0, await broker.StopAsync());
        Assert.Contains("Stopped", broker.Output);
        Assert.True(File.Exists(Path.Combine(broker.DataDirectory, ".rill_cleanshutdown")), "no clean-shutdown marker for the log directory");
        await broker.RestartAsync();
        string output = await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-C", "-t", "sigterm", "-e", "-f", "%s\\n"]);
        Assert.Equal(["a", "b", "c"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Embedded_broker_serves_a_real_client_in_process()
    {
        await using var broker = await global::Rill.Hosting.EmbeddedBroker.StartAsync();
        await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-P", "-t", "embedded", "-K:"], stdin: "k:v\n");
        string output = await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-C", "-t", "embedded", "-e", "-f", "%k=%s\\n"]);
        Assert.Equal("k=v", output.Trim());
    }
}
