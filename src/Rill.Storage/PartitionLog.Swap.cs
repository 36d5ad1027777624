using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Rill.Protocol.Records;
using Rill.Storage.Cleaning;
using Rill.Storage.Internal;
using Rill.Storage.Segments;

namespace Rill.Storage;

public sealed partial class PartitionLog
{
    private const string CleanedSuffix = ".cleaned";
    private const string SwapSuffix = ".swap";
    private const int CleanerWriteChunk = 1024 * 1024;

    /// <summary>
    /// Writes the cleaned copy of <paramref name="group"/> and swaps it in. Returns the bytes written, or -1 when
    /// the group is no longer in the log as it was (nothing changes then).
    /// </summary>
    private long CleanGroup(LogSegment[] group, BatchFilter filter, CleaningPass pass, long nowMs)
    {
        long baseOffset = group[0].BaseOffset;
        string logPath = LogFileNames.LogFile(Directory, baseOffset);
        string cleanedPath = logPath + CleanedSuffix;
        long written = 0;
        var output = new ArrayBufferWriter<byte>(CleanerWriteChunk + 64 * 1024);
        pass.KeptAbortedTxns.Clear();
        using (SafeFileHandle file = File.OpenHandle(cleanedPath, FileMode.Create, FileAccess.ReadWrite, FileShare.Read))
        {
            foreach (LogSegment segment in group)
            {
                ForEachBatch(segment, batch =>
                {
                    filter.Filter(batch, pass, output);
                    if (output.WrittenCount >= CleanerWriteChunk)
                    {
                        RandomAccess.Write(file, output.WrittenSpan, written);
                        written += output.WrittenCount;
                        output.ResetWrittenCount();
                    }
                });
            }
            RandomAccess.Write(file, output.WrittenSpan, written);
            written += output.WrittenCount;
            RandomAccess.FlushToDisk(file);
        }
        return SwapIn(group, cleanedPath, pass.KeptAbortedTxns, nowMs) ? written : -1;
    }

    /// <summary>
    /// Under the log's lock: <c>.cleaned</c> becomes <c>.swap</c> (from here a crash completes the swap on open),
    /// the cleaned .txnindex is written, the sources' files are unlinked, the swap file takes the first source's name and the segment list is
    /// replaced. Readers holding the old segments keep reading them until they are closed a little later.
    /// </summary>
    private bool SwapIn(LogSegment[] group, string cleanedPath, List<AbortedTxn> abortedTxns, long nowMs)
    {
        lock (_lock)
        {
            LogSegment[] segments = _segments;
            int at = Array.IndexOf(segments, group[0]);
            bool intact = !_closed && at >= 0 && at + group.Length < segments.Length;
            for (int i = 0; intact && i < group.Length; i++)
            {
                intact = segments[at + i] == group[i];
            }
            if (!intact)
            {
                File.Delete(cleanedPath);
                return false;
            }
            long baseOffset = group[0].BaseOffset;
            string logPath = LogFileNames.LogFile(Directory, baseOffset);
            string swapPath = logPath + SwapSuffix;
            foreach (LogSegment old in group) old.LogFile.Pin(); // their paths are about to name other bytes, or none
            File.Move(cleanedPath, swapPath, overwrite: true);
            DirectorySync.Flush(Directory);
            // The cleaned segment's .txnindex: the aborts whose marker it kept while data of theirs was in the walk.
            TransactionIndex.WriteEntries(LogFileNames.TxnIndexFile(Directory, baseOffset), abortedTxns);
            foreach (LogSegment old in group)
            {
                if (old != group[0]) File.Delete(LogFileNames.TxnIndexFile(Directory, old.BaseOffset));
                File.Delete(LogFileNames.IndexFile(Directory, old.BaseOffset));
                File.Delete(LogFileNames.TimeIndexFile(Directory, old.BaseOffset));
                if (old != group[0]) File.Delete(LogFileNames.LogFile(Directory, old.BaseOffset));
            }
            File.Move(swapPath, logPath, overwrite: true);
            DirectorySync.Flush(Directory);

            LogSegment fresh = OpenSegment(baseOffset, nowMs);
            fresh.Recover(int.MaxValue);
            fresh.EndOffset = Math.Max(fresh.EndOffset, group[^1].EndOffset);
            fresh.OnBecomeInactive();
            fresh.Flush();

            var replaced = new LogSegment[segments.Length - group.Length + 1];
            Array.Copy(segments, replaced, at);
            replaced[at] = fresh;
            Array.Copy(segments, at + group.Length, replaced, at + 1, segments.Length - at - group.Length);
            _segments = replaced;
            foreach (LogSegment old in group) ScheduleDelete(old, []); // unlinked above; readers keep the handle a while
            return true;
        }
    }

    /// <summary>
    /// Finishes swaps a crash interrupted: a <c>&lt;base&gt;.log.swap</c> file was complete and fsynced before it got
    /// that name, so it replaces every segment whose base offset lies in the offsets it covers; then it takes its
    /// final name and its indexes are rebuilt when the segment is opened. <c>.cleaned</c> files (a clean that had
    /// not finished) are deleted by the caller.
    /// </summary>
    private void CompleteInterruptedSwaps()
    {
        foreach (string swapPath in System.IO.Directory.EnumerateFiles(Directory, "*" + LogFileNames.LogSuffix + SwapSuffix).Order(StringComparer.Ordinal).ToArray())
        {
            string logName = Path.GetFileName(swapPath)[..^SwapSuffix.Length];
            if (!LogFileNames.TryParseOffset(logName, LogFileNames.LogSuffix, out long baseOffset))
            {
                continue;
            }
            long end = ScanEndOffset(swapPath, baseOffset);
            var covered = new List<long>();
            foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + LogFileNames.LogSuffix).ToArray())
            {
                if (LogFileNames.TryParseOffset(Path.GetFileName(path), LogFileNames.LogSuffix, out long b)
                    && b >= baseOffset && b < Math.Max(end, baseOffset + 1))
                {
                    covered.Add(b);
                }
            }
            covered.Sort();
            if (covered.Count > 1)
            {
                // Merge the covered segments' .txnindex into the swapped-in segment's before their files go.
                TransactionIndex.WriteMerged(LogFileNames.TxnIndexFile(Directory, baseOffset),
                    covered.Select(b => TransactionIndex.Load(LogFileNames.TxnIndexFile(Directory, b))).ToList());
            }
            foreach (long b in covered)
            {
                if (b != baseOffset) File.Delete(LogFileNames.TxnIndexFile(Directory, b));
                File.Delete(LogFileNames.LogFile(Directory, b));
                File.Delete(LogFileNames.IndexFile(Directory, b));
                File.Delete(LogFileNames.TimeIndexFile(Directory, b));
            }
            File.Delete(LogFileNames.IndexFile(Directory, baseOffset));
            File.Delete(LogFileNames.TimeIndexFile(Directory, baseOffset));
            File.Move(swapPath, LogFileNames.LogFile(Directory, baseOffset), overwrite: true);
            DirectorySync.Flush(Directory);
        }
    }

    /// <summary>One past the last offset of the well-formed batches at the start of a file.</summary>
    private static long ScanEndOffset(string path, long baseOffset)
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileIo.Share);
        long length = RandomAccess.GetLength(file);
        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        long pos = 0, end = baseOffset;
        while (FileIo.ReadFully(file, header, pos) == header.Length)
        {
            int total = Batch.CheckHeader(header, length - pos, int.MaxValue);
            if (total < 0) break;
            end = Math.Max(end, Batch.LastOffset(header) + 1);
            pos += total;
        }
        return end;
    }
}
