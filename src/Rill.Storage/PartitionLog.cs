using Rill.Storage.Producers;
using Rill.Storage.Segments;

namespace Rill.Storage;

/// <summary>
/// The durable log of one partition, laid out as Apache Kafka lays it out: a directory <c>topic-N/</c> of
/// segments (<c>&lt;20-digit base offset&gt;.log</c>, <c>.index</c>, <c>.timeindex</c>) plus producer snapshots.
/// <para>
/// Writes (append, roll, truncate, retention) are serialised by one lock; reads (<see cref="Read"/>,
/// timestamp lookups) take no lock and see only batches whose append has completed. An append issues its
/// write syscall before returning, so acknowledged data survives a crash of the process (it is in the page
/// cache); fsync happens per the flush policy (flush.messages / flush.ms, default never), after a segment roll (in
/// the background, PartitionLog.RollFlush.cs) and at <see cref="Close"/>.
/// </para>
/// <para>
/// Opening trusts nothing but the .log files: without the clean-shutdown marker the segments from the recovery
/// point on are scanned batch by batch (length, CRC32C, magic) and cut at the first torn or corrupt batch; indexes
/// that are missing or do not add up are rebuilt even after a clean shutdown.
/// </para>
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ProducerStateManager _producers = new();
    private readonly List<PendingDelete> _pendingDeletes = [];
    private volatile LogSegment[] _segments = [];
    private long _logEndOffset;
    private long _logStartOffset;
    private long _recoveryPoint;
    private long _unflushedMessages;
    private long _lastFlushMs;
    private bool _closed;

    private PartitionLog(string directory, LogConfig config, TimeProvider time)
    {
        Directory = directory;
        Config = config;
        _time = time;
    }

    /// <summary>The partition directory.</summary>
    public string Directory { get; }

    /// <summary>Current settings; replace with <see cref="UpdateConfig"/>.</summary>
    public LogConfig Config { get; private set; }

    /// <summary>First offset a consumer may read.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>Next offset to be assigned (one past the last appended record).</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>Offsets below it are visible to consumers. On a single node it is the log end offset.</summary>
    public long HighWatermark => LogEndOffset;

    /// <summary>Offset below which everything has been fsynced.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>Whether the last shutdown was clean (no recovery was run when opening).</summary>
    public bool OpenedAfterCleanShutdown { get; private set; }

    /// <summary>Number of segments.</summary>
    public int SegmentCount => _segments.Length;

    /// <summary>Bytes in all segments' .log files.</summary>
    public long SizeInBytes
    {
        get
        {
            long total = 0;
            foreach (LogSegment s in _segments) total += s.Size;
            return total;
        }
    }

    /// <summary>Number of producer ids with state in this partition.</summary>
    public int ProducerCount { get { lock (_lock) return _producers.Count; } }

    /// <summary>Snapshot of the segments, oldest first (allocates; for retention and tools).</summary>
    public LogSegmentInfo[] GetSegments()
    {
        LogSegment[] segs = _segments;
        var result = new LogSegmentInfo[segs.Length];
        for (int i = 0; i < segs.Length; i++)
        {
            LogSegment s = segs[i];
            result[i] = new LogSegmentInfo(s.BaseOffset, s.EndOffset, s.Size, s.MaxTimestampSoFar, i == segs.Length - 1);
        }
        return result;
    }

    /// <summary>
    /// Opens the partition log in <paramref name="directory"/>, creating it if needed, and recovers it if the last
    /// shutdown was not clean.
    /// </summary>
    public static PartitionLog Open(string directory, LogConfig config, LogOpenOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        options ??= LogOpenOptions.Default;
        var log = new PartitionLog(Path.GetFullPath(directory), config, options.Time ?? TimeProvider.System);
        log.Load(options);
        return log;
    }

    /// <summary>Applies new settings (segment.bytes, flush policy, ...) to later appends.</summary>
    public void UpdateConfig(LogConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        lock (_lock)
        {
            Config = config;
            foreach (LogSegment s in _segments) s.Config = config;
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private LogSegment Active => _segments[^1];

    private void ThrowIfClosed()
    {
        if (_closed) throw new ObjectDisposedException(nameof(PartitionLog), $"The log in {Directory} is closed.");
    }

    /// <summary>
    /// Flushes, writes a producer snapshot and the clean-shutdown marker, and closes the files. The next open
    /// skips recovery.
    /// </summary>
    public void Close()
    {
        if (CloseBeforeMarker())
        {
            WriteCleanShutdownMarker();
        }
    }

    /// <summary>
    /// <see cref="Close"/> without the marker: flushes, writes the producer snapshot and closes the files. True when
    /// the marker is due (the log has files on disk). A batched shutdown (<see cref="LogManager.Close"/>) runs this
    /// for every log with the fsyncs deferred, syncs the file system once, and only then writes the markers, so
    /// that no marker can be on disk before the data it vouches for.
    /// </summary>
    internal bool CloseBeforeMarker()
    {
        WaitForRollFlushes();
        lock (_lock)
        {
            if (_closed) return false;
            if (!_dir.Exists)
            {
                CloseFiles(); // never written: nothing to flush, snapshot or mark
                return false;
            }
            LogSegment active = Active;
            active.OnBecomeInactive();
            foreach (LogSegment s in _segments)
            {
                if (s.BaseOffset >= RecoveryPoint || s == active) s.Flush();
            }
            WriteProducerSnapshot(LogEndOffset);
            Volatile.Write(ref _recoveryPoint, LogEndOffset);
            CloseFiles();
            return true;
        }
    }

    /// <summary>The clean-shutdown marker of a log closed by <see cref="CloseBeforeMarker"/>.</summary>
    internal void WriteCleanShutdownMarker()
        => Internal.FileIo.WriteAtomically(Path.Combine(Directory, LogFileNames.CleanShutdownFile), []);

    /// <summary>Closes the files as a crash would leave them: no flush, no snapshot, no marker (for tests).</summary>
    internal void CloseWithoutCleanShutdown()
    {
        WaitForRollFlushes();
        lock (_lock)
        {
            if (_closed) return;
            ClosedUncleanly = true;
            CloseFiles();
        }
    }

    /// <summary>Closed by <see cref="CloseWithoutCleanShutdown"/>: a log manager writes no clean-shutdown marker over it.</summary>
    internal bool ClosedUncleanly { get; private set; }

    private void CloseFiles()
    {
        _closed = true;
        foreach (LogSegment s in _segments) s.Dispose();
        DeleteDueSegmentsLocked(); // closed: every segment waiting for file.delete.delay.ms goes now
    }

    /// <summary>Closes the log and deletes its directory.</summary>
    public void Delete()
    {
        WaitForRollFlushes();
        lock (_lock)
        {
            if (!_closed) CloseFiles();
            if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();
}
