using Microsoft.Win32.SafeHandles;
using Rill.Storage.Internal;

namespace Rill.Storage.Segments;

/// <summary>
/// File access for the .index and .timeindex files, which hold no open handle: the indexes live in memory and
/// their files are written only when the segment is flushed (roll, flush policy, close), opened for that write and
/// closed again. A partition therefore costs one open file per segment (its .log), not three, which is what lets a
/// broker hold tens of thousands of partitions under a usual open-file limit. Nothing is lost by writing late: a
/// segment past the recovery point is rebuilt from its .log after a crash, and one below it was flushed.
/// </summary>
internal static class IndexFile
{
    /// <summary>Writes <paramref name="bytes"/> at <paramref name="position"/> (creating the file) and fsyncs it (unless <see cref="Durability.Deferred"/>).</summary>
    public static void WriteAndSync(string path, ReadOnlySpan<byte> bytes, long position)
    {
        using SafeFileHandle file = FileIo.OpenReadWrite(path);
        if (!bytes.IsEmpty)
        {
            RandomAccess.Write(file, bytes, position);
        }
        Durability.FlushFile(file);
    }

    /// <summary>Cuts the file to <paramref name="length"/> bytes, when it exists.</summary>
    public static void Truncate(string path, long length)
    {
        if (!File.Exists(path))
        {
            return;
        }
        using SafeFileHandle file = FileIo.OpenReadWrite(path);
        if (RandomAccess.GetLength(file) > length)
        {
            RandomAccess.SetLength(file, length);
        }
    }

    /// <summary>The whole file, or null when it is missing or larger than <paramref name="maxBytes"/>.</summary>
    public static byte[]? ReadAll(string path, long maxBytes)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileIo.Share);
        long length = RandomAccess.GetLength(file);
        if (length > maxBytes)
        {
            return null;
        }
        byte[] bytes = new byte[length];
        return FileIo.ReadFully(file, bytes, 0) == bytes.Length ? bytes : null;
    }
}
