using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rill.Broker.Quotas;

/// <summary>
/// Client quotas in <c>rill-client-quotas.json</c> in the data directory: written to a temporary
/// file, flushed, then renamed over the old one, so a crash leaves the old or the new set.
/// </summary>
internal sealed class FileClientQuotaStore : IClientQuotaStore
{
    public const string FileName = "rill-client-quotas.json";
    private readonly string _path;

    public FileClientQuotaStore(string directory) => _path = Path.Combine(directory, FileName);

    public IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> Load()
    {
        var result = new Dictionary<QuotaEntity, IReadOnlyDictionary<string, double>>();
        if (!File.Exists(_path))
        {
            return result;
        }
        ClientQuotasFile file;
        using (FileStream stream = File.OpenRead(_path))
        {
            file = JsonSerializer.Deserialize(stream, ClientQuotasJson.Default.ClientQuotasFile)
                ?? throw new InvalidDataException($"{_path} is empty.");
        }
        if (file.Version != 1)
        {
            throw new InvalidDataException($"{_path} has version {file.Version}; this Rill reads version 1.");
        }
        foreach (StoredQuota stored in file.Quotas ?? [])
        {
            if (FromStored(stored) is { } entry)
            {
                result[entry.Entity] = entry.Values;
            }
        }
        return result;
    }

    /// <summary>A stored entity and its values; null for an empty one.</summary>
    internal static (QuotaEntity Entity, IReadOnlyDictionary<string, double> Values)? FromStored(StoredQuota stored)
    {
        EntityName? Part(string type) => stored.Entity.TryGetValue(type, out string? name) ? new EntityName(name) : null;
        var entity = new QuotaEntity(Part(QuotaEntity.UserType), Part(QuotaEntity.ClientIdType), Part(QuotaEntity.IpType));
        return !entity.IsEmpty && stored.Values.Count > 0 ? (entity, new Dictionary<string, double>(stored.Values, StringComparer.Ordinal)) : null;
    }

    internal static StoredQuota ToStored(QuotaEntity entity, IReadOnlyDictionary<string, double> values) =>
        new(entity.Parts().ToDictionary(p => p.Type, p => p.Name, StringComparer.Ordinal), new Dictionary<string, double>(values, StringComparer.Ordinal));

    public void Save(IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> quotas)
    {
        var list = quotas
            .OrderBy(q => q.Key.ToString(), StringComparer.Ordinal)
            .Select(q => ToStored(q.Key, q.Value))
            .ToList();
        string temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new ClientQuotasFile(1, list), ClientQuotasJson.Default.ClientQuotasFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }
}

/// <summary>One entity: entity type to name (null: the default entity), and its quota values.</summary>
internal sealed record StoredQuota(Dictionary<string, string?> Entity, Dictionary<string, double> Values);

internal sealed record ClientQuotasFile(int Version, List<StoredQuota>? Quotas);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ClientQuotasFile))]
internal sealed partial class ClientQuotasJson : JsonSerializerContext;
