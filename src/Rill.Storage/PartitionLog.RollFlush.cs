using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage;

/// <summary>
/// The fsync of a rolled segment, off the append path (as Kafka schedules its "flush-log" task on roll). A roll used to
/// fsync the old segment, write and fsync the producer snapshot and fsync the directory under the log's lock, inside
/// the produce request that crossed segment.bytes: up to a gigabyte of page cache synced while that partition's
/// appends waited (410-460 ms produce stalls at 1 M records/s in bench/compare/run.sh, issue 16). Now the roll only
/// serialises the producer state; a background task syncs the segment, writes the snapshot and then moves the
/// recovery point. Until it has, the recovery point stays below the rolled segment, so a crash recovers it as before.
/// </summary>
public sealed partial class PartitionLog
{
    private Task _rollFlushes = Task.CompletedTask; // under _lock: the chain of pending rolled-segment flushes
    private long _truncations; // under _lock: bumped when the log is cut back, so a late flush cannot move the recovery point past it

    /// <summary>Queues the flush of <paramref name="rolled"/>, which ends at <paramref name="newBase"/>; under the lock.</summary>
    private void ScheduleRollFlushLocked(LogSegment rolled, long newBase)
    {
        byte[] snapshot = _producers.SerializeSnapshot();
        long truncations = _truncations;
        _rollFlushes = _rollFlushes.ContinueWith(_ => FlushRolled(rolled, newBase, snapshot, truncations),
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Completes when every segment rolled so far has been flushed (tests, and callers that need the files).</summary>
    internal Task WhenRollsFlushed()
    {
        lock (_lock) return _rollFlushes;
    }

    /// <summary>Tests: rolled-segment flushes queued from now on start only once <paramref name="gate"/> completes.</summary>
    internal void HoldRollFlushes(Task gate)
    {
        lock (_lock) _rollFlushes = Task.WhenAll(_rollFlushes, gate);
    }

    /// <summary>Waits (outside the lock) for the flushes queued so far; they never throw.</summary>
    private void WaitForRollFlushes() => WhenRollsFlushed().Wait();

    private void FlushRolled(LogSegment rolled, long newBase, byte[] snapshot, long truncations)
    {
        string final = LogFileNames.SnapshotFile(Directory, newBase);
        string temp = final + ".tmp";
        try
        {
            if (Volatile.Read(ref _closed)) return;
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            rolled.Flush();
            StorageMeters.RecordFlush(started);
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(handle, snapshot, 0);
                RandomAccess.FlushToDisk(handle);
            }
            lock (_lock)
            {
                if (_closed || truncations != _truncations)
                {
                    File.Delete(temp); // closed (Close flushed everything itself) or cut back below the roll meanwhile
                    return;
                }
                File.Move(temp, final, overwrite: true);
                if (RecoveryPoint < newBase) Volatile.Write(ref _recoveryPoint, newBase);
                List<long> snapshots = ListSnapshots();
                for (int i = 0; i < snapshots.Count - SnapshotsKept; i++) File.Delete(LogFileNames.SnapshotFile(Directory, snapshots[i]));
            }
            DirectorySync.Flush(Directory); // the new segment's and the snapshot's directory entries
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or UnauthorizedAccessException)
        {
            // The segment was deleted (retention, truncation, the partition) or the log closed meanwhile: nothing is
            // lost, the recovery point simply stays where it was, and the next flush or a recovery covers the range.
            try { File.Delete(temp); } catch (IOException) { }
        }
    }
}
