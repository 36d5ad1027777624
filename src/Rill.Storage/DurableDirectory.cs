namespace Rill.Storage;

/// <summary>fsync of a directory, for callers outside storage that create or rename files (the broker's metadata files).</summary>
public static class DurableDirectory
{
    /// <summary>Makes the creations and renames done in <paramref name="directory"/> survive a power loss (no-op on Windows).</summary>
    public static void Sync(string directory) => Internal.DirectorySync.Flush(directory);
}
