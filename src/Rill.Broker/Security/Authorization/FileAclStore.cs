using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rill.Broker.Security.Authorization;

/// <summary>
/// Persists ACLs in <c>rill-acls.json</c> in the first log dir, replaced atomically (write, fsync,
/// rename) on every change. Enum values are stored by Kafka's names, so the file reads like kafka-acls output.
/// </summary>
public sealed class FileAclStore : IAclStore
{
    public const string FileName = "rill-acls.json";
    private readonly string _path;

    public FileAclStore(string logDir) => _path = Path.Combine(logDir, FileName);

    public IReadOnlyList<AclBinding> Load()
    {
        if (!File.Exists(_path))
        {
            return [];
        }
        using FileStream stream = File.OpenRead(_path);
        AclsFile file = JsonSerializer.Deserialize(stream, AclStoreJson.Default.AclsFile)
            ?? throw new InvalidDataException($"{_path} is empty.");
        if (file.Version != 1)
        {
            throw new InvalidDataException($"{_path} has version {file.Version}; this Rill reads version 1.");
        }
        return file.Acls.Select(r => FromRecord(r, _path)).ToList();
    }

    /// <summary>A stored ACL back as a binding; <paramref name="source"/> names the store in errors.</summary>
    internal static AclBinding FromRecord(AclRecord r, string source)
    {
        var binding = new AclBinding(
            new ResourcePattern(Parse<AclResourceType>(r.ResourceType, source), r.Name, Parse<AclPatternType>(r.PatternType, source)),
            new AccessControlEntry(r.Principal, r.Host, AclNames.ParseOperation(r.Operation), Parse<AclPermissionType>(r.Permission, source)));
        if (binding.Validate() is { } error)
        {
            throw new InvalidDataException($"{source}: invalid ACL {binding}: {error}");
        }
        return binding;
    }

    /// <summary>A binding as stored (enum values by Kafka's names).</summary>
    internal static AclRecord ToRecord(AclBinding b) => new(AclNames.Of(b.Pattern.Type), AclNames.Of(b.Pattern.PatternType), b.Pattern.Name,
        b.Entry.Principal, b.Entry.Host, AclNames.Of(b.Entry.Operation), AclNames.Of(b.Entry.Permission));

    public void Save(IReadOnlyCollection<AclBinding> bindings)
    {
        var records = bindings
            .Select(ToRecord)
            .OrderBy(r => r.ResourceType, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)
            .ThenBy(r => r.PatternType, StringComparer.Ordinal).ThenBy(r => r.Principal, StringComparer.Ordinal)
            .ThenBy(r => r.Host, StringComparer.Ordinal).ThenBy(r => r.Operation, StringComparer.Ordinal)
            .ThenBy(r => r.Permission, StringComparer.Ordinal)
            .ToList();
        string temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new AclsFile(1, records), AclStoreJson.Default.AclsFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }

    private static T Parse<T>(string text, string source) where T : struct, Enum =>
        Enum.TryParse(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out T value)
            ? value
            : throw new InvalidDataException($"{source}: unknown {typeof(T).Name} '{text}'.");
}

internal sealed record AclRecord(string ResourceType, string PatternType, string Name, string Principal, string Host, string Operation, string Permission);

internal sealed record AclsFile(int Version, List<AclRecord> Acls);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AclsFile))]
internal sealed partial class AclStoreJson : JsonSerializerContext;
