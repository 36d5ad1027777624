using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage;

/// <summary>
/// Where the log's files come from: its directory, created on the first write (a new partition exists only in memory
/// until then), and the budget of open segment files it shares with the other logs of its log manager.
/// </summary>
public sealed partial class PartitionLog
{
    private PartitionDirectory _dir = null!;
    private SegmentFileCache _files = null!;

    /// <summary>Whether the log has anything on disk (a new partition has no directory until its first write).</summary>
    public bool IsOnDisk => _dir.Exists;

    /// <summary>Segment files of this log with an open descriptor now (for tests and tools).</summary>
    internal int OpenSegmentFiles => _segments.Count(s => s.LogFile.IsOpen);

    private void InitFiles(LogOpenOptions options)
    {
        _files = options.SegmentFiles ?? SegmentFileCache.Default;
        bool exists = System.IO.Directory.Exists(Directory);
        if (!exists && Path.Exists(Directory))
        {
            throw new IOException($"Cannot create the log directory {Directory}: a file of that name is in the way.");
        }
        _dir = new PartitionDirectory(Directory, exists);
    }

    /// <summary>
    /// A segment that starts now (roll, truncation, compaction swap): its file is created at once, so the directory
    /// sync that follows covers it, as Kafka does at roll.
    /// </summary>
    private LogSegment OpenSegment(long baseOffset, long now)
    {
        _dir.EnsureCreated();
        LogSegment segment = LogSegment.Open(_dir, baseOffset, Config, now, _files, create: true);
        using (segment.LogFile.Acquire())
        {
            // opening creates the file
        }
        return segment;
    }
}
