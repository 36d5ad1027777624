using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rill.Broker.Topics;

/// <summary>One topic as persisted: name, id, partition count and its config overrides.</summary>
internal sealed record TopicRecord(string Name, Guid TopicId, int Partitions, Dictionary<string, string> Configs);

/// <summary>
/// Persists topic definitions in <c>rill-topics.json</c> in the first log dir, replaced
/// atomically (write, fsync, rename) on every change. The partition directories hold the data;
/// this file says which topics exist and how they are configured.
/// </summary>
internal sealed class TopicMetadataStore
{
    public const string FileName = "rill-topics.json";
    private readonly string _path;

    public TopicMetadataStore(string logDir) => _path = Path.Combine(logDir, FileName);

    public List<TopicRecord> Load()
    {
        if (!File.Exists(_path))
        {
            return [];
        }
        using FileStream stream = File.OpenRead(_path);
        var file = JsonSerializer.Deserialize(stream, TopicMetadataJson.Default.TopicsFile)
            ?? throw new InvalidDataException($"{_path} is empty.");
        if (file.Version != 1)
        {
            throw new InvalidDataException($"{_path} has version {file.Version}; this Rill reads version 1.");
        }
        return file.Topics;
    }

    public void Save(IEnumerable<TopicRecord> topics)
    {
        var file = new TopicsFile(1, topics.OrderBy(t => t.Name, StringComparer.Ordinal).ToList());
        string temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, file, TopicMetadataJson.Default.TopicsFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
        // The rename must reach the disk before the change is acknowledged: a new topic's partitions exist only here
        // until they are written to (their directories are created then).
        Storage.DurableDirectory.Sync(Path.GetDirectoryName(_path)!);
    }
}

internal sealed record TopicsFile(int Version, List<TopicRecord> Topics);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TopicsFile))]
internal sealed partial class TopicMetadataJson : JsonSerializerContext;
