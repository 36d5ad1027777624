using System.Runtime.InteropServices;

namespace Rill.Storage.Internal;

/// <summary>The process's open-file limit (soft RLIMIT_NOFILE), from which the default open-segment budget is derived.</summary>
internal static partial class OpenFileLimit
{
    private const int RlimitNofile = 7; // Linux; macOS uses 8

    /// <summary>The soft limit, or null when it is unknown or unlimited.</summary>
    public static long? Current()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return null;
        Span<ulong> limits = stackalloc ulong[2];
        if (GetRLimit(OperatingSystem.IsMacOS() ? 8 : RlimitNofile, ref MemoryMarshal.GetReference(limits)) != 0) return null;
        ulong soft = limits[0];
        return soft is 0 or > int.MaxValue ? null : (long)soft;
    }

    /// <summary>
    /// Default number of segment files kept open at once: half the process limit (the other half is left for
    /// connections, index and checkpoint writes and the runtime), at least 16; unbounded when the limit is unknown.
    /// </summary>
    public static int DefaultSegmentBudget() => Current() is { } limit ? (int)Math.Max(16, limit / 2) : int.MaxValue;

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, ref ulong limits);
}
