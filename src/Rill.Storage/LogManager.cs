using System.Collections.Concurrent;
using System.Globalization;

namespace Rill.Storage;

/// <summary>
/// All partition logs of one log directory (one entry of log.dirs): opens every <c>topic-N</c> directory at start
/// (in parallel), creates and deletes partition logs, and keeps the Kafka checkpoint files in the directory root
/// (<c>recovery-point-offset-checkpoint</c>, <c>log-start-offset-checkpoint</c>, <c>cleaner-offset-checkpoint</c>). Topic metadata (partition counts,
/// configs) belongs to the broker, which supplies each partition's <see cref="LogConfig"/>.
/// <para>
/// Its background work (<see cref="StartMaintenance"/>, as Kafka's LogManager schedules it): the flush.ms policy and
/// delayed segment deletion every tick, retention every log.retention.check.interval.ms, the checkpoints, and the
/// log cleaner. The owner only starts and stops it.
/// </para>
/// </summary>
public sealed partial class LogManager : IDisposable
{
    public const string RecoveryPointCheckpointFile = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetCheckpointFile = "log-start-offset-checkpoint";
    public const string CleanerOffsetCheckpointFile = "cleaner-offset-checkpoint";
    public const string ReplicationOffsetCheckpointFile = "replication-offset-checkpoint";
    private const string DeleteSuffix = "-delete";

    private readonly ConcurrentDictionary<TopicPartition, PartitionLog> _logs = new();
    private readonly ConcurrentDictionary<Task, byte> _pendingDeletes = new();
    private readonly TimeProvider _time;
    private readonly Lock _checkpointLock = new();
    private bool _closed;

    private readonly Segments.SegmentFileCache _segmentFiles;

    private LogManager(string logDirectory, TimeProvider time, int maxOpenFiles, long dropBehindBytes)
    {
        LogDirectory = logDirectory;
        _time = time;
        _segmentFiles = new Segments.SegmentFileCache(maxOpenFiles > 0 ? maxOpenFiles : Internal.OpenFileLimit.DefaultSegmentBudget(),
            Segments.DropBehind.Resolve(dropBehindBytes, dropBehindBytes < 0 && Internal.FreePageReporting.Active));
    }

    public string LogDirectory { get; }

    /// <summary>
    /// rill.log.max.open.files: how many segment files this directory's logs keep open at once (the least recently
    /// used are closed beyond it and reopened on use).
    /// </summary>
    public int MaxOpenSegmentFiles => _segmentFiles.Capacity;

    /// <summary>
    /// rill.log.drop.behind.bytes: appended bytes this directory's logs leave in the page cache before the oldest are
    /// written back and dropped from it (0: off; always 0 where the kernel has no sync_file_range/posix_fadvise).
    /// </summary>
    public long DropBehindBytes => _segmentFiles.DropBehind.Enabled ? _segmentFiles.DropBehind.Budget : 0;

    /// <summary>Appended bytes dropped from the page cache since the start (rill.log.drop.behind.bytes).</summary>
    public long DroppedFromPageCacheBytes => _segmentFiles.DropBehind.DroppedBytes;

    /// <summary>Segment files open now.</summary>
    public int OpenSegmentFiles => _segmentFiles.OpenCount;

    /// <summary>Segment files closed to stay within <see cref="MaxOpenSegmentFiles"/> since the start.</summary>
    public long SegmentFileEvictions => _segmentFiles.Evictions;

    /// <summary>
    /// Opens (creating if needed) the log directory and every partition in it. <paramref name="configFor"/> gives
    /// the config of each partition found. Missing or garbled checkpoints mean full recovery of unclean logs.
    /// </summary>
    /// <param name="producerIdExpirationMs">producer.id.expiration.ms: producers idle this long are dropped from the state loaded (null: none).</param>
    /// <param name="maxOpenFiles">rill.log.max.open.files: segment files kept open at once; 0: half the process's open-file limit.</param>
    /// <param name="dropBehindBytes">
    /// rill.log.drop.behind.bytes: appended bytes left in the page cache before the oldest are dropped; 0: off; -1: 256 MiB
    /// on a virtual machine whose freed memory goes back to its hypervisor (free page reporting), else off.
    /// </param>
    public static LogManager Open(string logDirectory, Func<TopicPartition, LogConfig> configFor, TimeProvider? time = null,
        long? producerIdExpirationMs = null, int maxOpenFiles = 0, long dropBehindBytes = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(logDirectory);
        ArgumentNullException.ThrowIfNull(configFor);
        ArgumentOutOfRangeException.ThrowIfNegative(maxOpenFiles);
        ArgumentOutOfRangeException.ThrowIfLessThan(dropBehindBytes, -1);
        var manager = new LogManager(Path.GetFullPath(logDirectory), time ?? TimeProvider.System, maxOpenFiles, dropBehindBytes);
        Directory.CreateDirectory(manager.LogDirectory);
        OffsetCheckpointFile.TryRead(Path.Combine(manager.LogDirectory, RecoveryPointCheckpointFile), out var recoveryPoints);
        OffsetCheckpointFile.TryRead(Path.Combine(manager.LogDirectory, LogStartOffsetCheckpointFile), out var startOffsets);
        OffsetCheckpointFile.TryRead(Path.Combine(manager.LogDirectory, CleanerOffsetCheckpointFile), out var cleanerOffsets);
        OffsetCheckpointFile.TryRead(Path.Combine(manager.LogDirectory, ReplicationOffsetCheckpointFile), out var highWatermarks);
        string cleanMarker = Path.Combine(manager.LogDirectory, LogFileNames.CleanShutdownFile);
        bool clean = File.Exists(cleanMarker);

        var found = new List<(TopicPartition Tp, string Path)>();
        foreach (string dir in Directory.EnumerateDirectories(manager.LogDirectory))
        {
            string name = Path.GetFileName(dir);
            if (name.EndsWith(DeleteSuffix, StringComparison.Ordinal))
            {
                manager.DeleteInBackground([dir]);
                continue;
            }
            if (name.EndsWith("-future", StringComparison.Ordinal) || name.EndsWith("-stray", StringComparison.Ordinal)) continue;
            if (TopicPartition.TryParseDirectoryName(name, out TopicPartition tp)) found.Add((tp, dir));
        }

        void OpenOne((TopicPartition Tp, string Path) item)
        {
            var options = new LogOpenOptions
            {
                RecoveryPoint = recoveryPoints.GetValueOrDefault(item.Tp, 0),
                LogStartOffset = startOffsets.TryGetValue(item.Tp, out long start) ? start : null,
                CleanerCheckpoint = cleanerOffsets.TryGetValue(item.Tp, out long cleaned) ? cleaned : null,
                HighWatermark = highWatermarks.TryGetValue(item.Tp, out long hw) ? hw : null,
                Time = manager._time,
                ProducerIdExpirationMs = producerIdExpirationMs,
                SegmentFiles = manager._segmentFiles,
                LogDirectoryClean = clean,
            };
            manager._logs[item.Tp] = PartitionLog.Open(item.Path, configFor(item.Tp), options);
        }
        if (found.Count > 1)
        {
            Parallel.ForEach(found, OpenOne);
        }
        else
        {
            // A new or one-log directory: the parallel loop's own generic code would cost more start-up time than it saves.
            found.ForEach(OpenOne);
        }
        if (clean)
        {
            // Gone for good before anything is appended: a crash from now on must recover the logs.
            File.Delete(cleanMarker);
            Internal.DirectorySync.Flush(manager.LogDirectory);
        }
        manager.Checkpoint();
        return manager;
    }

    /// <summary>The partitions with a log here.</summary>
    public TopicPartition[] ListPartitions() => _logs.Keys.ToArray();

    public bool TryGetLog(TopicPartition tp, out PartitionLog log) => _logs.TryGetValue(tp, out log!);

    /// <summary>Returns the partition's log, creating an empty one if there is none.</summary>
    public PartitionLog GetOrCreateLog(TopicPartition tp, LogConfig config)
    {
        ArgumentException.ThrowIfNullOrEmpty(tp.Topic);
        ArgumentOutOfRangeException.ThrowIfNegative(tp.Partition);
        ObjectDisposedException.ThrowIf(_closed, this);
        lock (_logs)
        {
            if (_logs.TryGetValue(tp, out PartitionLog? existing)) return existing;
            var log = PartitionLog.Open(Path.Combine(LogDirectory, tp.DirectoryName), config,
                new LogOpenOptions { Time = _time, SegmentFiles = _segmentFiles });
            _logs[tp] = log;
            return log;
        }
    }

    /// <summary>
    /// Removes a partition: closes its log, renames its directory to <c>topic-N.&lt;hex&gt;-delete</c> (so a
    /// restart never reopens it) and deletes that in the background. The task completes when the files are gone.
    /// </summary>
    public Task DeleteLog(TopicPartition tp) => DeleteLogs([tp]);

    /// <summary>
    /// <see cref="DeleteLog"/> for many partitions (a deleted topic's) at the price of one: the renames, then one sync
    /// of the log directory, one checkpoint and one background deletion. Deleting partitions one at a time would sync
    /// the directory and rewrite the checkpoints of every remaining log once per partition, which for a topic of
    /// 10,000 partitions took minutes. A rename that fails does not stop the others; the first failure is thrown at
    /// the end.
    /// </summary>
    public Task DeleteLogs(IEnumerable<TopicPartition> partitions)
    {
        var logs = new List<(TopicPartition Partition, PartitionLog Log)>();
        lock (_logs)
        {
            foreach (TopicPartition tp in partitions)
            {
                if (_logs.TryRemove(tp, out PartitionLog? log)) logs.Add((tp, log));
            }
        }
        var moved = new List<string>();
        Exception? failure = null;
        foreach ((TopicPartition tp, PartitionLog log) in logs)
        {
            log.CloseWithoutCleanShutdown();
            // Never written: no directory to remove, and no checkpoint line to fear (a line for a partition with no
            // directory is ignored at open), so removing the thousands of partitions of a failed creation is cheap.
            if (!Directory.Exists(log.Directory)) continue;
            string target = Path.Combine(LogDirectory,
                tp.DirectoryName + "." + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture) + DeleteSuffix);
            try
            {
                Directory.Move(log.Directory, target);
                moved.Add(target);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failure ??= e;
            }
        }
        if (moved.Count == 0)
        {
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            return Task.CompletedTask;
        }
        Internal.DirectorySync.Flush(LogDirectory);
        Checkpoint();
        Task deleted = DeleteInBackground(moved);
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        return deleted;
    }

    private Task DeleteInBackground(List<string> dirs)
    {
        Task task = Task.Run(() =>
        {
            foreach (string dir in dirs)
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
        });
        _pendingDeletes[task] = 0;
        _ = task.ContinueWith(t => _pendingDeletes.TryRemove(t, out _), TaskScheduler.Default);
        return task;
    }

    /// <summary>How many times <see cref="Checkpoint"/> wrote the checkpoint files (for tests).</summary>
    internal int CheckpointsWritten { get; private set; }

    /// <summary>Writes both checkpoint files from the open logs.</summary>
    public void Checkpoint()
    {
        lock (_checkpointLock)
        {
            CheckpointsWritten++;
            var recovery = new List<KeyValuePair<TopicPartition, long>>();
            var starts = new List<KeyValuePair<TopicPartition, long>>();
            var cleaned = new List<KeyValuePair<TopicPartition, long>>();
            foreach (KeyValuePair<TopicPartition, PartitionLog> kv in _logs)
            {
                recovery.Add(new(kv.Key, kv.Value.RecoveryPoint));
                starts.Add(new(kv.Key, kv.Value.LogStartOffset));
                if (kv.Value.Config.Compact) cleaned.Add(new(kv.Key, kv.Value.CleanerCheckpoint));
            }
            OffsetCheckpointFile.Write(Path.Combine(LogDirectory, RecoveryPointCheckpointFile), recovery);
            OffsetCheckpointFile.Write(Path.Combine(LogDirectory, LogStartOffsetCheckpointFile), starts);
            OffsetCheckpointFile.Write(Path.Combine(LogDirectory, CleanerOffsetCheckpointFile), cleaned);
            WriteHighWatermarksLocked();
        }
    }

    /// <summary>
    /// Writes <c>replication-offset-checkpoint</c> (Kafka's layout, as the recovery-point file): the high watermark of
    /// every replicated partition (<see cref="PartitionLog.ReplicatedHighWatermark"/> set). The broker calls it every
    /// replica.high.watermark.checkpoint.interval.ms; <see cref="Checkpoint"/> and <see cref="Close"/> write it too.
    /// </summary>
    public void CheckpointHighWatermarks()
    {
        lock (_checkpointLock)
        {
            WriteHighWatermarksLocked();
        }
    }

    private void WriteHighWatermarksLocked()
    {
        var marks = new List<KeyValuePair<TopicPartition, long>>();
        foreach (KeyValuePair<TopicPartition, PartitionLog> kv in _logs)
        {
            long hw = kv.Value.ReplicatedHighWatermark;
            if (hw >= 0) marks.Add(new(kv.Key, hw));
        }
        string path = Path.Combine(LogDirectory, ReplicationOffsetCheckpointFile);
        if (marks.Count > 0 || File.Exists(path)) OffsetCheckpointFile.Write(path, marks);
    }

    /// <summary>Raised when retention deleted segments of a log: the partition, how many, the new log start offset.</summary>
    public event Action<TopicPartition, int, long>? RetentionDeletedSegments;

    /// <summary>Applies retention.ms / retention.bytes to every log (log.retention.check.interval.ms); returns segments deleted.</summary>
    public int ApplyRetention()
    {
        int deleted = 0;
        foreach (KeyValuePair<TopicPartition, PartitionLog> kv in _logs)
        {
            try
            {
                int removed = kv.Value.ApplyRetention();
                if (removed > 0)
                {
                    deleted += removed;
                    RetentionDeletedSegments?.Invoke(kv.Key, removed, kv.Value.LogStartOffset);
                }
            }
            catch (ObjectDisposedException)
            {
                // deleted meanwhile
            }
        }
        return deleted;
    }

    /// <summary>Runs the flush.ms policy of every log; for a periodic task.</summary>
    public void FlushDueLogs()
    {
        foreach (KeyValuePair<TopicPartition, PartitionLog> kv in _logs) kv.Value.FlushIfDue();
    }

    /// <summary>Stops the background work, closes every log cleanly (flush, producer snapshots, markers) and writes the checkpoints.</summary>
    public void Close()
    {
        if (_closed) return;
        StopMaintenanceAsync().AsTask().GetAwaiter().GetResult();
        _stopMaintenance.Dispose();
        _closed = true;
        if (Internal.Durability.CanSyncFileSystem)
        {
            CloseBatched();
        }
        else
        {
            Parallel.ForEach(_logs.Values, log => log.Close());
            Checkpoint();
        }
        Task.WaitAll(_pendingDeletes.Keys.ToArray(), TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// The clean shutdown of every log with one file-system sync instead of several fsyncs per partition, and one
    /// clean-shutdown marker for the directory instead of one per partition (as Kafka's log manager): each log
    /// flushes, writes its producer snapshot and closes with its fsyncs deferred; one <c>syncfs</c> makes all of it
    /// durable; then the directory's marker is written (fsynced, renamed, directory fsynced). A crash before the
    /// marker leaves none (the next start recovers the logs by a scan, as after any crash); a failed close or sync
    /// writes no marker. The next <see cref="Open"/> trusts the marker for every log it opens, then deletes it.
    /// </summary>
    private void CloseBatched()
    {
        Parallel.ForEach(_logs.Values, log =>
        {
            using (Internal.Durability.Defer())
            {
                log.CloseBeforeMarker();
            }
        });
        Checkpoint(); // the recovery points and log start offsets the marker's next open will trust
        bool clean = !_logs.IsEmpty && _logs.Values.All(log => !log.ClosedUncleanly);
        if (clean && Internal.Durability.SyncFileSystem(LogDirectory))
        {
            Internal.FileIo.WriteAtomically(Path.Combine(LogDirectory, LogFileNames.CleanShutdownFile), []);
        }
    }

    public void Dispose() => Close();
}
