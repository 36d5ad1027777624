using System.Runtime.InteropServices;

namespace Rill.Storage.Internal;

/// <summary>
/// fsync of a directory, so that a file creation or rename inside it survives a power loss. .NET has no API for
/// it; on Linux and macOS we call open/fsync/close from libc, elsewhere (Windows) it is a no-op.
/// </summary>
internal static partial class DirectorySync
{
    public static void Flush(string directory)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) || Durability.Deferred) return;
        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return;
        try
        {
            _ = FSync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Linux's <c>syncfs</c> on the file system holding <paramref name="directory"/>: every dirty page and metadata
    /// change of that file system written and waited for. False when the kernel reports an error or the directory
    /// cannot be opened; only on Linux.
    /// </summary>
    public static bool SyncFileSystem(string directory)
    {
        if (!OperatingSystem.IsLinux()) return false;
        int fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return false;
        try
        {
            return SyncFs(fd) == 0;
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
