using System.Diagnostics;
using System.Text;

namespace Rill.Packaging.Tests;

/// <summary>The packed `rill` installs with `dotnet tool install` and works: version, serve, produce, consume.</summary>
[Collection(PackagesCollection.Name)]
public class ToolTests(PackedRepository packed)
{
    [Fact]
    public async Task The_installed_tool_serves_and_produces_and_consumes_through_its_own_commands()
    {
        string toolPath = Directory.CreateTempSubdirectory("rill-tool-").FullName;
        string data = Directory.CreateTempSubdirectory("rill-tool-data-").FullName;
        Process? serve = null;
        try
        {
            string config = packed.WriteNuGetConfig(toolPath);
            await Dotnet.RunOkAsync("dotnet", ["tool", "install", "rill", "--tool-path", toolPath, "--version", packed.PackageVersion,
                "--configfile", config], workingDirectory: toolPath);
            string rill = Path.Combine(toolPath, "rill");
            Assert.True(File.Exists(rill), "no rill command in the tool path");

            string version = await Dotnet.RunOkAsync(rill, ["--version"]);
            Assert.StartsWith($"rill {packed.RepositoryVersion}", version.Trim());

            (serve, int port) = await StartServeAsync(rill, data);
            string bootstrap = $"127.0.0.1:{port}";
            await Dotnet.RunOkAsync(rill, ["topics", "--bootstrap-server", bootstrap, "--create", "--topic", "packed", "--partitions", "1"]);
            await Dotnet.RunOkAsync(rill, ["produce", "--bootstrap-server", bootstrap, "--topic", "packed", "--compression-codec", "zstd",
                "--property", "parse.key=true", "--property", "key.separator=:"], stdin: "k1:hello from the packed tool\nk2:second\n");
            string consumed = await Dotnet.RunOkAsync(rill, ["consume", "--bootstrap-server", bootstrap, "--topic", "packed", "--from-beginning",
                "--property", "print.key=true", "--max-messages", "2", "--timeout-ms", "20000"]);
            Assert.Contains("k1\thello from the packed tool", consumed);
            Assert.Contains("k2\tsecond", consumed);
        }
        finally
        {
            if (serve is { HasExited: false })
            {
                serve.Kill(entireProcessTree: true);
                await serve.WaitForExitAsync();
            }
            serve?.Dispose();
            Directory.Delete(toolPath, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>`rill serve` on port 0; the port comes from its "Rill listening on" line.</summary>
    private static async Task<(Process, int)> StartServeAsync(string rill, string data)
    {
        var info = new ProcessStartInfo(rill) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "serve", "--set", $"log.dirs={data}", "--set", "listeners=PLAINTEXT://127.0.0.1:0" })
        {
            info.ArgumentList.Add(arg);
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var output = new StringBuilder();
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (output) output.AppendLine(e.Data);
            const string Marker = "Rill listening on 127.0.0.1:";
            int at = e.Data.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                string rest = e.Data[(at + Marker.Length)..];
                ready.TrySetResult(int.Parse(rest[..rest.IndexOf(' ')]));
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"rill serve exited:\n{output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return (process, await ready.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }
}
