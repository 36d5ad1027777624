using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Rill.Storage.Internal;

/// <summary>Small allocation-free helpers over <see cref="RandomAccess"/>.</summary>
internal static partial class FileIo
{
    public const FileShare Share = FileShare.ReadWrite | FileShare.Delete;

    public static SafeFileHandle OpenReadWrite(string path, FileMode mode = FileMode.OpenOrCreate)
        => File.OpenHandle(path, mode, FileAccess.ReadWrite, Share);

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long position)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[total..], position + total);
            if (n <= 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>
    /// Writes a file next to <paramref name="path"/>, fsyncs it, renames it over <paramref name="path"/> and fsyncs the
    /// directory (the fsyncs are skipped while <see cref="Durability.Deferred"/>).
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> contents)
    {
        string temp = path + ".tmp";
        using (SafeFileHandle h = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(h, contents, 0);
            Durability.FlushFile(h);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Reserves the disk blocks of [0, <paramref name="bytes"/>) without changing the file's length (Linux
    /// <c>fallocate</c> with <c>FALLOC_FL_KEEP_SIZE</c>). False where that is not available or refused (other systems,
    /// file systems without it, a full disk); nothing changes then.
    /// </summary>
    public static bool Preallocate(SafeFileHandle handle, long bytes)
    {
        if (!OperatingSystem.IsLinux() || bytes <= 0) return false;
        return Fallocate((int)handle.DangerousGetHandle(), FallocKeepSize, 0, bytes) == 0;
    }

    private const int FallocKeepSize = 1; // FALLOC_FL_KEEP_SIZE

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);
}
