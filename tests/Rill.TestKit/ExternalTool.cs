using System.Diagnostics;
using System.Text;
using Xunit;

namespace Rill.TestKit;

/// <summary>Runs an independent client (kcat, python3, node) with a timeout and captures its output.</summary>
public static class ExternalTool
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The test project's scripts folder, copied next to the test binaries.</summary>
    public static string ScriptsDirectory => Path.Combine(AppContext.BaseDirectory, "scripts");

    /// <summary>The path of one script in <see cref="ScriptsDirectory"/>.</summary>
    public static string Script(string name) => Path.Combine(ScriptsDirectory, name);

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, string? stdin = null,
        TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = new Process { StartInfo = info };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot run '{file}' ({e.Message}). bash .ci/run installs the interop clients.", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs and fails the test with the tool's output unless it exits 0.</summary>
    public static async Task<string> RunOkAsync(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        Result result = await RunAsync(file, args, stdin, timeout, workingDirectory);
        Assert.True(result.ExitCode == 0,
            $"{file} {string.Join(' ', args)} exited with {result.ExitCode}\nstdout:\n{result.Stdout}\nstderr:\n{result.Stderr}");
        return result.Stdout;
    }

    public static Task<string> PythonAsync(string script, params string[] args)
        => RunOkAsync(Python, [Path.Combine(ScriptsDirectory, script), .. args], timeout: TimeSpan.FromSeconds(180));
}
