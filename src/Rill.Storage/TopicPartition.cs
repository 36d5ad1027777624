using System.Globalization;

namespace Rill.Storage;

/// <summary>A topic name and partition number; the partition's directory is <c>topic-N</c>.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public string DirectoryName => Topic + "-" + Partition.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => DirectoryName;

    /// <summary>Parses a <c>topic-N</c> directory name (the partition follows the last dash).</summary>
    public static bool TryParseDirectoryName(string name, out TopicPartition tp)
    {
        tp = default;
        int dash = name.LastIndexOf('-');
        if (dash <= 0 || dash == name.Length - 1) return false;
        if (!int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int partition)) return false;
        tp = new TopicPartition(name[..dash], partition);
        return true;
    }
}
