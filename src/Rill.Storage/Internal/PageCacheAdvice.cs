using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Rill.Storage.Internal;

/// <summary>
/// Linux's page-cache calls that .NET has no API for: <c>sync_file_range</c> to start writing a range of a file
/// back to disk without waiting, and <c>posix_fadvise(POSIX_FADV_DONTNEED)</c> to drop the range's clean pages from
/// the cache. Elsewhere (and where the kernel refuses) both return false and change nothing.
/// </summary>
internal static partial class PageCacheAdvice
{
    private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE: start writeback of the dirty pages, do not wait
    private const int FadvDontNeed = 4;        // POSIX_FADV_DONTNEED on Linux

    /// <summary>Whether the calls exist here (Linux).</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>Starts writeback of the dirty pages of [offset, offset + length); does not wait for it.</summary>
    public static bool StartWriteback(SafeFileHandle file, long offset, long length)
    {
        if (!Supported || length <= 0) return false;
        return SyncFileRange((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite) == 0;
    }

    /// <summary>Drops the clean cached pages of [offset, offset + length); pages still dirty or under writeback stay.</summary>
    public static bool Drop(SafeFileHandle file, long offset, long length)
    {
        if (!Supported || length <= 0) return false;
        return PosixFadvise((int)file.DangerousGetHandle(), offset, length, FadvDontNeed) == 0;
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    // posix_fadvise returns the error number itself (it does not set errno).
    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long len, int advice);
}
