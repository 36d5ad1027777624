namespace Rill.Storage.Internal;

/// <summary>
/// A partition's directory, created on demand: a new partition's log exists only in memory (and in the broker's
/// topic metadata) until something is written to it, so creating a topic of many partitions makes no directory and no
/// file. The first file written (the first segment at the first append, a leader-epoch checkpoint, ...) creates the
/// directory; the first fsync of the log after that also fsyncs the directory and its parent, so the new entries are
/// as durable as the data the flush policy syncs.
/// </summary>
internal sealed class PartitionDirectory
{
    private readonly Lock _gate = new();
    private volatile bool _exists;
    private volatile bool _syncPending;

    public PartitionDirectory(string path, bool exists)
    {
        Path = path;
        _exists = exists;
    }

    public string Path { get; }

    /// <summary>Whether the directory is on disk (else the log is empty and has never been written).</summary>
    public bool Exists => _exists;

    /// <summary>Creates the directory if this log has not yet done so.</summary>
    public void EnsureCreated()
    {
        if (_exists) return;
        lock (_gate)
        {
            if (_exists) return;
            System.IO.Directory.CreateDirectory(Path);
            _syncPending = true;
            _exists = true;
        }
    }

    /// <summary>
    /// After the directory was created by this process: fsyncs it and its parent once (called where the log fsyncs
    /// its data, so a synced segment's directory entries are synced too).
    /// </summary>
    public void SyncIfCreated()
    {
        if (!_syncPending) return;
        lock (_gate)
        {
            if (!_syncPending) return;
            DirectorySync.Flush(Path);
            DirectorySync.Flush(System.IO.Path.GetDirectoryName(Path)!);
            _syncPending = false;
        }
    }
}
