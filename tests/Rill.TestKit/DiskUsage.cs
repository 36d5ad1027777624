using System.Diagnostics;

namespace Rill.TestKit;

/// <summary>What a file holds on disk, its length aside (reserved or sparse files).</summary>
public static class DiskUsage
{
    /// <summary>Bytes of disk the file holds: <c>stat</c>'s blocks times their size.</summary>
    public static long Allocated(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("Cannot run stat.");
        string output = stat.StandardOutput.ReadToEnd();
        if (!stat.WaitForExit(10_000) || stat.ExitCode != 0)
        {
            throw new InvalidOperationException($"stat {path} failed: {output}");
        }
        string[] parts = output.Split(' ', StringSplitOptions.TrimEntries);
        return long.Parse(parts[0]) * long.Parse(parts[1]);
    }
}
