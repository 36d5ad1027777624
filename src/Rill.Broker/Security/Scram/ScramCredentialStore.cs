using System.Text.Json;
using System.Text.Json.Serialization;
using Rill.Protocol.Sasl;

namespace Rill.Broker.Security.Scram;

/// <summary>
/// The broker's SCRAM credentials by user and mechanism, persisted in <c>rill-scram-credentials.json</c>
/// in the first log dir (salt, StoredKey, ServerKey, iterations; replaced atomically: write, fsync,
/// rename). Read by every SCRAM login, changed by AlterUserScramCredentials.
/// </summary>
internal sealed class ScramCredentialStore
{
    public const string FileName = "rill-scram-credentials.json";
    private readonly Lock _lock = new();
    private Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> _users = new(StringComparer.Ordinal);
    private string? _path;

    /// <summary>Reads the file in <paramref name="logDir"/> (if any) and persists every later change there.</summary>
    public void Load(string logDir)
    {
        string path = Path.Combine(logDir, FileName);
        var users = new Dictionary<string, Dictionary<ScramMechanism, ScramCredential>>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            using FileStream stream = File.OpenRead(path);
            var file = JsonSerializer.Deserialize(stream, ScramCredentialsJson.Default.ScramCredentialsFile)
                ?? throw new InvalidDataException($"{path} is empty.");
            if (file.Version != 1)
            {
                throw new InvalidDataException($"{path} has version {file.Version}; this Rill reads version 1.");
            }
            foreach (var entry in file.Credentials)
            {
                ScramMechanism mechanism = ScramMechanisms.Parse(entry.Mechanism);
                if (mechanism == ScramMechanism.Unknown)
                {
                    throw new InvalidDataException($"{path}: unknown SCRAM mechanism '{entry.Mechanism}' for user '{entry.User}'.");
                }
                if (!users.TryGetValue(entry.User, out var byMechanism))
                {
                    users[entry.User] = byMechanism = [];
                }
                byMechanism[mechanism] = new ScramCredential(Convert.FromBase64String(entry.Salt), Convert.FromBase64String(entry.StoredKey),
                    Convert.FromBase64String(entry.ServerKey), entry.Iterations);
            }
        }
        lock (_lock)
        {
            _users = users;
            _path = path;
        }
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
            if (_path is not null)
            {
                Save(_path, next);
            }
            _users = next;
        }
    }

    private static void Save(string path, Dictionary<string, Dictionary<ScramMechanism, ScramCredential>> users)
    {
        var entries = users.OrderBy(u => u.Key, StringComparer.Ordinal)
            .SelectMany(u => u.Value.OrderBy(m => m.Key).Select(m => new ScramCredentialEntry(u.Key, m.Key.Name(),
                m.Value.Iterations, Convert.ToBase64String(m.Value.Salt), Convert.ToBase64String(m.Value.StoredKey), Convert.ToBase64String(m.Value.ServerKey))))
            .ToList();
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, new ScramCredentialsFile(1, entries), ScramCredentialsJson.Default.ScramCredentialsFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}

internal sealed record ScramCredentialEntry(string User, string Mechanism, int Iterations, string Salt, string StoredKey, string ServerKey);

internal sealed record ScramCredentialsFile(int Version, List<ScramCredentialEntry> Credentials);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ScramCredentialsFile))]
internal sealed partial class ScramCredentialsJson : JsonSerializerContext;
