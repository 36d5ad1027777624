using System.Diagnostics;
using System.Text;

namespace Rill.Interop.Tests.Burrow;

/// <summary>A long-running external tool (ZooKeeper, Burrow) whose output is kept for failure messages; killed on dispose.</summary>
internal sealed class BackgroundTool : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public BackgroundTool(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            _process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot run '{file}' ({e.Message}). bash .ci/run installs it (apt).", e);
        }
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the tool wrote (stdout and stderr).</summary>
    public string Tail(int chars = 4000)
    {
        lock (_output)
        {
            string all = _output.ToString();
            return all.Length <= chars ? all : all[^chars..];
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
