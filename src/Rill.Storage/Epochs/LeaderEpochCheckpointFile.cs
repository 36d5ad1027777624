using System.Globalization;
using System.Text;
using Rill.Storage.Internal;

namespace Rill.Storage.Epochs;

/// <summary>
/// Kafka's <c>leader-epoch-checkpoint</c> file in a partition directory: a version line <c>0</c>, a count line, then
/// one <c>epoch startOffset</c> line per entry, oldest first. Written atomically (temporary file, fsync, rename,
/// fsync of the directory), so a crash leaves the old or the new file, never a torn one; a file that does not parse
/// anyway (disk damage, an edit) is reported as unreadable and the caller rebuilds the entries from the log.
/// </summary>
public static class LeaderEpochCheckpointFile
{
    public const string FileName = "leader-epoch-checkpoint";
    private const int Version = 0;

    public static void Write(string path, IReadOnlyList<EpochEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var text = new StringBuilder();
        text.Append(Version.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(entries.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (EpochEntry e in entries)
        {
            text.Append(e.Epoch.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(e.StartOffset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        FileIo.WriteAtomically(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>
    /// Reads the file. Missing: true with no entries (a log that never had a leader epoch). Unparseable, or entries
    /// whose epochs and start offsets do not both increase: false.
    /// </summary>
    public static bool TryRead(string path, out List<EpochEntry> entries)
    {
        entries = [];
        string[] lines;
        try
        {
            if (!File.Exists(path)) return true;
            string text = File.ReadAllText(path, Encoding.UTF8);
            if (!text.EndsWith('\n')) return false; // torn: every write ends with a newline
            lines = text[..^1].Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            return false;
        }
        if (lines.Length < 2 || lines[0] != "0"
            || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || lines.Length < 2 + count)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            string[] parts = lines[2 + i].Split(' ');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long start)
                || (entries.Count > 0 && (epoch <= entries[^1].Epoch || start < entries[^1].StartOffset)))
            {
                entries.Clear();
                return false;
            }
            entries.Add(new EpochEntry(epoch, start));
        }
        if (lines.Length != 2 + count)
        {
            entries.Clear();
            return false;
        }
        return true;
    }
}
