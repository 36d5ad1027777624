using System.Text.Json;
using System.Text.Json.Serialization;
using Rill.Protocol.Sasl;

namespace Rill.Broker.Security.Scram;

/// <summary>
/// The broker's SCRAM credentials by user and mechanism, persisted in <c>rill-scram-credentials.json</c>
/// in the first log dir (salt, StoredKey, ServerKey, iterations; replaced atomically: write, fsync,
/// rename), or in a cluster in the metadata store (<see cref="IScramCredentialStorage"/>). Read by every
/// SCRAM login, changed by AlterUserScramCredentials.
/// </summary>
internal sealed class ScramCredentialStore
{
    public const string FileName = "rill-scram-credentials.json";
    private readonly Lock _lock = new();
    private Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> _users = new(StringComparer.Ordinal);
    private IScramCredentialStorage? _storage;

    /// <summary>Reads the file in <paramref name="logDir"/> (if any) and persists every later change there.</summary>
    public void Load(string logDir) => Load(new FileScramCredentialStorage(logDir));

    /// <summary>
    /// Reads the credentials from <paramref name="storage"/> and persists every later change there (the file
    /// on a single node, the cluster metadata store in a cluster). Also how a change made elsewhere is reloaded.
    /// </summary>
    public void Load(IScramCredentialStorage storage)
    {
        lock (_lock)
        {
            _users = FromEntries(storage.Load(), storage.Source);
            _storage = storage;
        }
    }

    internal static Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> FromEntries(IEnumerable<ScramCredentialEntry> entries, string source)
    {
        var users = new Dictionary<string, Dictionary<ScramMechanism, ScramCredential>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            ScramMechanism mechanism = ScramMechanisms.Parse(entry.Mechanism);
            if (mechanism == ScramMechanism.Unknown)
            {
                throw new InvalidDataException($"{source}: unknown SCRAM mechanism '{entry.Mechanism}' for user '{entry.User}'.");
            }
            if (!users.TryGetValue(entry.User, out var byMechanism))
            {
                users[entry.User] = byMechanism = [];
            }
            byMechanism[mechanism] = new ScramCredential(Convert.FromBase64String(entry.Salt), Convert.FromBase64String(entry.StoredKey),
                Convert.FromBase64String(entry.ServerKey), entry.Iterations);
        }
        return users;
    }

    public ScramCredential? Find(string user, ScramMechanism mechanism)
    {
        lock (_lock)
        {
            return _users.TryGetValue(user, out var byMechanism) && byMechanism.TryGetValue(mechanism, out var credential) ? credential : null;
        }
    }

    /// <summary>Every user with at least one credential, in name order.</summary>
    public IReadOnlyList<string> Users()
    {
        lock (_lock)
        {
            return _users.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The mechanisms and iteration counts of one user; empty when the user has none.</summary>
    public IReadOnlyList<(ScramMechanism Mechanism, int Iterations)> Describe(string user)
    {
        lock (_lock)
        {
            return _users.TryGetValue(user, out var byMechanism)
                ? byMechanism.OrderBy(m => m.Key).Select(m => (m.Key, m.Value.Iterations)).ToList()
                : [];
        }
    }

    /// <summary>Applies deletions and upserts (already validated) at once and persists the result.</summary>
    public void Apply(IEnumerable<(string User, ScramMechanism Mechanism)> deletions,
        IEnumerable<(string User, ScramMechanism Mechanism, ScramCredential Credential)> upserts)
    {
        lock (_lock)
        {
            var next = _users.ToDictionary(u => u.Key, u => new Dictionary<ScramMechanism, ScramCredential>(u.Value), StringComparer.Ordinal);
            foreach (var (user, mechanism) in deletions)
            {
                if (next.TryGetValue(user, out var byMechanism) && byMechanism.Remove(mechanism) && byMechanism.Count == 0)
                {
                    next.Remove(user);
                }
            }
            foreach (var (user, mechanism, credential) in upserts)
            {
                if (!next.TryGetValue(user, out var byMechanism))
                {
                    next[user] = byMechanism = [];
                }
                byMechanism[mechanism] = credential;
            }
            _storage?.Save(ToEntries(next));
            _users = next;
        }
    }

    private static List<ScramCredentialEntry> ToEntries(Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> users) =>
        users.OrderBy(u => u.Key, StringComparer.Ordinal)
            .SelectMany(u => u.Value.OrderBy(m => m.Key).Select(m => new ScramCredentialEntry(u.Key, m.Key.Name(),
                m.Value.Iterations, Convert.ToBase64String(m.Value.Salt), Convert.ToBase64String(m.Value.StoredKey), Convert.ToBase64String(m.Value.ServerKey))))
            .ToList();
}

/// <summary>Where SCRAM credentials persist: a file in the log dir (one broker), or the cluster metadata store.</summary>
internal interface IScramCredentialStorage
{
    /// <summary>Named in errors about bad stored data.</summary>
    string Source { get; }

    IReadOnlyList<ScramCredentialEntry> Load();

    /// <summary>Replaces the stored credentials with <paramref name="entries"/>, durably, before returning.</summary>
    void Save(IReadOnlyList<ScramCredentialEntry> entries);
}

/// <summary><c>rill-scram-credentials.json</c> in the first log dir, replaced atomically (write, fsync, rename).</summary>
internal sealed class FileScramCredentialStorage(string logDir) : IScramCredentialStorage
{
    private readonly string _path = Path.Combine(logDir, ScramCredentialStore.FileName);

    public string Source => _path;

    public IReadOnlyList<ScramCredentialEntry> Load()
    {
        if (!File.Exists(_path))
        {
            return [];
        }
        using FileStream stream = File.OpenRead(_path);
        var file = JsonSerializer.Deserialize(stream, ScramCredentialsJson.Default.ScramCredentialsFile)
            ?? throw new InvalidDataException($"{_path} is empty.");
        if (file.Version != 1)
        {
            throw new InvalidDataException($"{_path} has version {file.Version}; this Rill reads version 1.");
        }
        return file.Credentials;
    }

    public void Save(IReadOnlyList<ScramCredentialEntry> entries)
    {
        string temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new ScramCredentialsFile(1, [.. entries]), ScramCredentialsJson.Default.ScramCredentialsFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }
}

internal sealed record ScramCredentialEntry(string User, string Mechanism, int Iterations, string Salt, string StoredKey, string ServerKey);

internal sealed record ScramCredentialsFile(int Version, List<ScramCredentialEntry> Credentials);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ScramCredentialsFile))]
internal sealed partial class ScramCredentialsJson : JsonSerializerContext;
