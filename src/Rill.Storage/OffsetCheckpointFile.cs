using System.Globalization;
using System.Text;
using Rill.Storage.Internal;

namespace Rill.Storage;

/// <summary>
/// Kafka's offset checkpoint files (recovery-point-offset-checkpoint, log-start-offset-checkpoint): a version
/// line <c>0</c>, a count line, then one <c>topic partition offset</c> line per partition. Written atomically
/// (temporary file, fsync, rename, fsync of the directory).
/// </summary>
public static class OffsetCheckpointFile
{
    private const int Version = 0;

    public static void Write(string path, IEnumerable<KeyValuePair<TopicPartition, long>> offsets)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var lines = new StringBuilder();
        int count = 0;
        var body = new StringBuilder();
        foreach (KeyValuePair<TopicPartition, long> kv in offsets)
        {
            body.Append(kv.Key.Topic).Append(' ')
                .Append(kv.Key.Partition.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(kv.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            count++;
        }
        lines.Append(Version.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(body);
        FileIo.WriteAtomically(path, Encoding.UTF8.GetBytes(lines.ToString()));
    }

    /// <summary>
    /// Reads a checkpoint file. False (and an empty map) when it is missing or malformed: the caller then falls
    /// back to full recovery.
    /// </summary>
    public static bool TryRead(string path, out Dictionary<TopicPartition, long> offsets)
    {
        offsets = new Dictionary<TopicPartition, long>();
        string[] lines;
        try
        {
            if (!File.Exists(path)) return false;
            lines = File.ReadAllLines(path, Encoding.UTF8);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        if (lines.Length < 2 || lines[0].Trim() != "0"
            || !int.TryParse(lines[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || lines.Length < 2 + count)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            string[] parts = lines[2 + i].Split(' ');
            if (parts.Length != 3 || parts[0].Length == 0
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int partition)
                || !long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long offset))
            {
                offsets.Clear();
                return false;
            }
            offsets[new TopicPartition(parts[0], partition)] = offset;
        }
        for (int i = 2 + count; i < lines.Length; i++)
        {
            if (lines[i].Length != 0)
            {
                offsets.Clear();
                return false;
            }
        }
        return true;
    }
}
