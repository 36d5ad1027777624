using Microsoft.Win32.SafeHandles;
using Rill.Storage.Internal;

namespace Rill.Storage.Segments;

/// <summary>
/// A segment's <c>.log</c> file whose descriptor is opened on first use and may be closed again by the
/// <see cref="SegmentFileCache"/> when the process keeps too many open: an idle partition holds no descriptor. A
/// caller takes a <see cref="Lease"/> for each I/O call (a reference on the handle, no allocation), which reopens the
/// file if it was closed and keeps it open until the lease ends. A new partition's first segment does not exist on
/// disk until its first lease, which creates the partition directory and the file.
/// </summary>
internal sealed class SegmentFile : IDisposable
{
    private readonly PartitionDirectory _directory;
    private readonly SegmentFileCache _cache;
    private readonly Lock _gate = new();
    private SafeFileHandle? _handle;
    private bool _disposed;
    private volatile bool _pinned;
    private bool _mayCreate;
    private readonly long _preallocateBytes;
    private long _lastUse;

    /// <param name="create">Whether the first open may create the file (a new segment); a reopen never does.</param>
    /// <param name="preallocateBytes">preallocate: the disk blocks to reserve when the first open creates the file (0: none).</param>
    public SegmentFile(string path, PartitionDirectory directory, SegmentFileCache cache, bool create, long preallocateBytes = 0)
    {
        Path = path;
        _directory = directory;
        _cache = cache;
        _mayCreate = create;
        _preallocateBytes = create ? preallocateBytes : 0;
    }

    public string Path { get; }

    /// <summary>When the file was last used (Environment.TickCount64), for the cache's least-recently-used choice.</summary>
    internal long LastUse => Volatile.Read(ref _lastUse);

    /// <summary>Whether a descriptor is open now.</summary>
    public bool IsOpen => Volatile.Read(ref _handle) is not null;

    /// <summary>Whether this process reserved the file's blocks when it created it (preallocate).</summary>
    public bool Preallocated { get; private set; }

    /// <summary>Whether the file is on disk (a new partition's first segment is not until its first write).</summary>
    public bool Exists => IsOpen || File.Exists(Path);

    /// <summary>
    /// A reference on the open handle, reopening (or creating) the file when needed. Throws
    /// <see cref="ObjectDisposedException"/> once the segment is closed for good (deleted, log closed).
    /// </summary>
    public Lease Acquire()
    {
        SafeFileHandle? handle = Volatile.Read(ref _handle);
        if (handle is null || !TryAddRef(handle)) handle = AcquireSlow();
        Volatile.Write(ref _lastUse, Environment.TickCount64);
        return new Lease(handle);
    }

    /// <summary>The log directory's page-cache budget for appended data (<see cref="Segments.DropBehind"/>).</summary>
    public DropBehind DropBehind => _cache.DropBehind;

    /// <summary>A reference on the handle only if a descriptor is open now (never reopens the file).</summary>
    public bool TryAcquireOpen(out Lease lease)
    {
        SafeFileHandle? handle = Volatile.Read(ref _handle);
        if (handle is not null && TryAddRef(handle))
        {
            lease = new Lease(handle);
            return true;
        }
        lease = default;
        return false;
    }

    /// <summary>The file's length: from the open handle, else from the file system (0 when the file does not exist yet).</summary>
    public long Length()
    {
        if (IsOpen)
        {
            using Lease lease = Acquire();
            return RandomAccess.GetLength(lease.Handle);
        }
        var info = new FileInfo(Path);
        return info.Exists ? info.Length : 0;
    }

    private SafeFileHandle AcquireSlow()
    {
        SafeFileHandle handle;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            SafeFileHandle? current = _handle;
            if (current is not null && TryAddRef(current))
            {
                return current;
            }
            if (_pinned)
            {
                // Renamed, unlinked or replaced since: its path no longer names this segment's bytes.
                throw new ObjectDisposedException(Path, "The segment is being deleted.");
            }
            handle = OpenHandle();
            if (_mayCreate && _preallocateBytes > 0)
            {
                // Best effort: a file system without fallocate, or a full disk, leaves the blocks to be allocated as
                // the data arrives, as without preallocate.
                Preallocated = FileIo.Preallocate(handle, _preallocateBytes);
            }
            _mayCreate = false;
            bool added = false;
            handle.DangerousAddRef(ref added);
            Volatile.Write(ref _handle, handle);
            _cache.OnOpened(this); // under this file's lock (the cache never takes a file's lock), so a Dispose cannot slip in between
        }
        return handle;
    }

    /// <summary>
    /// The segment's files are about to be renamed or removed while readers may still hold the segment (retention,
    /// compaction): opens the descriptor if needed and keeps it out of the cache's reach, since reopening by path
    /// would find another file or none. A lease after the descriptor is gone fails as for a deleted segment.
    /// </summary>
    public void Pin()
    {
        lock (_gate)
        {
            if (_disposed || _pinned) return;
            if (_handle is null)
            {
                try
                {
                    Volatile.Write(ref _handle, OpenHandle());
                }
                catch (IOException)
                {
                    // no descriptor to keep: readers of this segment get nothing, as after its deletion
                }
            }
            _pinned = true;
            _cache.OnClosed(this); // out of the budget, never evicted; closed by Dispose when the delay has passed
        }
    }

    private SafeFileHandle OpenHandle()
    {
        FileMode mode = _mayCreate ? FileMode.OpenOrCreate : FileMode.Open;
        if (_mayCreate) _directory.EnsureCreated();
        try
        {
            return FileIo.OpenReadWrite(Path, mode);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectDisposedException($"The segment file {Path} is gone.", e);
        }
        catch (IOException e) when (IsTooManyOpenFiles(e) && _cache.RelievePressure(this))
        {
            try
            {
                return FileIo.OpenReadWrite(Path, mode);
            }
            catch (IOException again) when (IsTooManyOpenFiles(again))
            {
                throw TooManyOpenFiles(again);
            }
        }
        catch (IOException e) when (IsTooManyOpenFiles(e))
        {
            throw TooManyOpenFiles(e);
        }
    }

    private IOException TooManyOpenFiles(IOException inner) => new(
        $"Too many open files opening {Path}: {_cache.OpenCount} segment files are open (rill.log.max.open.files {_cache.Capacity}); " +
        "raise the process's open-file limit (ulimit -n) or lower rill.log.max.open.files.", inner);

    /// <summary>EMFILE (24) or ENFILE (23): the process or the system has no descriptor left.</summary>
    private static bool IsTooManyOpenFiles(IOException e) =>
        (e.HResult & 0xFFFF) is 24 or 23 || e.Message.Contains("Too many open files", StringComparison.OrdinalIgnoreCase);

    private static bool TryAddRef(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            // closed by the cache (or for good) between the read of the field and here
        }
        return added;
    }

    /// <summary>Closes the descriptor to stay within the budget (the next lease reopens it); called by the cache.</summary>
    internal void Evict()
    {
        if (_pinned) return;
        Interlocked.Exchange(ref _handle, null)?.Dispose();
    }

    /// <summary>Closes the descriptor for good (the segment was deleted or its log closed).</summary>
    public void Dispose()
    {
        SafeFileHandle? handle;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            handle = Interlocked.Exchange(ref _handle, null);
        }
        handle?.Dispose();
        _cache.OnClosed(this);
    }

    /// <summary>A reference on an open handle for the length of one or a few I/O calls.</summary>
    public readonly struct Lease : IDisposable
    {
        internal Lease(SafeFileHandle handle) => Handle = handle;

        public SafeFileHandle Handle { get; }

        public void Dispose() => Handle.DangerousRelease();
    }
}
