using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rill.TestKit;

/// <summary>
/// A real `rill serve` process on 127.0.0.1 with its own data directory. Restartable on the same
/// data and port; Stop sends SIGTERM (clean), Kill sends SIGKILL (a crash).
/// </summary>
public sealed class RillProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string[] _extra;
    private readonly bool _ownsDirectory;
    private string? _configFile;
    private int? _openFileLimit;
    private Process? _process;
    private readonly StringBuilder _output = new();

    private RillProcess(string dataDirectory, bool ownsDirectory, string[] extra)
    {
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
        _extra = extra;
    }

    public string DataDirectory { get; }
    public int Port { get; private set; }
    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>The HTTP listener (/metrics, /health/*), bound to port 0; null when rill.http.listener=none.</summary>
    public Uri? HttpAddress { get; private set; }
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>The running process's id (for signals such as SIGSTOP), null when it is not running.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public static async Task<RillProcess> StartAsync(params string[] properties)
    {
        var process = new RillProcess(Directory.CreateTempSubdirectory("rill-interop-").FullName, true, properties);
        await process.StartAsync(port: 0);
        return process;
    }

    /// <summary>Starts under <c>ulimit -n <paramref name="openFileLimit"/></c> (through bash; restarts keep the limit).</summary>
    public static async Task<RillProcess> StartWithOpenFileLimitAsync(int openFileLimit, params string[] properties)
    {
        var process = new RillProcess(Directory.CreateTempSubdirectory("rill-interop-").FullName, true, properties) { _openFileLimit = openFileLimit };
        await process.StartAsync(port: 0);
        return process;
    }

    /// <summary>Starts with <c>--config <paramref name="configFile"/></c>; the --set overrides (log.dirs, listeners, <paramref name="properties"/>) still win.</summary>
    public static async Task<RillProcess> StartWithConfigAsync(string configFile, params string[] properties)
    {
        var process = new RillProcess(Directory.CreateTempSubdirectory("rill-interop-").FullName, true, properties) { _configFile = configFile };
        await process.StartAsync(port: 0);
        return process;
    }

    private async Task StartAsync(int port)
    {
        string rill = Path.Combine(AppContext.BaseDirectory, "rill.dll");
        var info = new ProcessStartInfo(_openFileLimit is null ? "dotnet" : "bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (_openFileLimit is { } limit)
        {
            // exec: the process id stays the broker's, so Kill and signals reach it.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"ulimit -n {limit} && exec \"$0\" \"$@\"");
            info.ArgumentList.Add("dotnet");
        }
        info.ArgumentList.Add(rill);
        info.ArgumentList.Add("serve");
        if (_configFile is not null)
        {
            info.ArgumentList.Add("--config");
            info.ArgumentList.Add(_configFile);
        }

        info.ArgumentList.Add("--set");
        info.ArgumentList.Add($"log.dirs={DataDirectory}");
        info.ArgumentList.Add("--set");
        info.ArgumentList.Add($"listeners=PLAINTEXT://127.0.0.1:{port}");
        info.ArgumentList.Add("--set");
        info.ArgumentList.Add("rill.http.listener=http://127.0.0.1:0"); // never the fixed default port in tests
        foreach (string property in _extra)
        {
            info.ArgumentList.Add("--set");
            info.ArgumentList.Add(property);
        }

        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            Append(e.Data);
            const string httpMarker = "Rill HTTP on ";
            int httpAt = e.Data.IndexOf(httpMarker, StringComparison.Ordinal);
            if (httpAt >= 0)
            {
                string url = e.Data[(httpAt + httpMarker.Length)..];
                HttpAddress = new Uri(url[..url.IndexOf(' ')]);
            }
            const string marker = "Rill listening on 127.0.0.1:";
            int at = e.Data.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                string rest = e.Data[(at + marker.Length)..];
                ready.TrySetResult(int.Parse(rest[..rest.IndexOf(' ')]));
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Append(e.Data); };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"rill serve exited with {process.ExitCode}:\n{Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Port = await ready.Task.WaitAsync(StartTimeout);
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>SIGTERM and wait for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return _process?.ExitCode ?? 0;
        }
        Signals.Send(process.Id, Signals.SigTerm);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }

    /// <summary>SIGKILL: the process dies wherever it is.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        Signals.Send(process.Id, Signals.SigKill);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
    }

    /// <summary>SIGSTOP: the process freezes (its port still accepts connections: the kernel completes them).</summary>
    public void Pause() => Signals.Send(_process?.Id ?? throw new InvalidOperationException("not running"), Signals.SigStop);

    /// <summary>SIGCONT: a paused process runs on.</summary>
    public void Resume() => Signals.Send(_process?.Id ?? throw new InvalidOperationException("not running"), Signals.SigCont);

    /// <summary>Starts again on the same data directory and port.</summary>
    public async Task RestartAsync()
    {
        await WaitForPortFreeAsync(Port);
        await StartAsync(Port);
    }

    private static async Task WaitForPortFreeAsync(int port)
    {
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                probe.Stop();
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _process?.Dispose();
        if (_ownsDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

public static partial class Signals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed.");
        }
    }
}
