using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rill.Broker.WebConsole;

/// <summary>
/// What the web console's signed session tokens need to be checked on any broker and after a restart: the
/// signing key (256 random bits, made by the first broker that needs it) and the ids of sessions logged out
/// before they expired. Kept in <c>rill-console-sessions.json</c> in the first log dir on a single node
/// (mode 0600, replaced atomically), or in a cluster in the metadata store under
/// <c>{prefix}/security/console/</c> (every broker watches it), so a session made through one broker is valid
/// on every broker and a logout through one revokes it on all. Entries: <c>key</c>, and
/// <c>revoked/{session id}</c> holding the session's expiry (pruned once past it).
/// </summary>
public sealed class ConsoleSessionState
{
    private const string KeyEntry = "key";
    private const string RevokedPrefix = "revoked/";
    private readonly IConsoleSessionStorage _storage;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private byte[]? _key;
    private Dictionary<string, long> _revoked = new(StringComparer.Ordinal);
    private bool _loaded;

    internal ConsoleSessionState(IConsoleSessionStorage storage, TimeProvider time)
    {
        _storage = storage;
        _time = time;
    }

    /// <summary>A state kept in <paramref name="logDir"/>'s file (a single node).</summary>
    public static ConsoleSessionState InDirectory(string logDir, TimeProvider time) => new(new FileConsoleSessionStorage(logDir), time);

    /// <summary>The HMAC-SHA256 key that signs session tokens; made and stored on first use.</summary>
    public byte[] SigningKey
    {
        get
        {
            lock (_lock)
            {
                EnsureLoaded();
                if (_key is null)
                {
                    var entries = new Dictionary<string, byte[]>(_storage.Load(), StringComparer.Ordinal);
                    if (!entries.ContainsKey(KeyEntry))
                    {
                        entries[KeyEntry] = RandomNumberGenerator.GetBytes(32);
                        _storage.Save(entries);
                    }
                    Apply(_storage.Load()); // in a cluster another broker may have written its key first: use what is stored
                }
                return _key ?? throw new InvalidOperationException("The console session key could not be stored.");
            }
        }
    }

    /// <summary>True when the session was logged out (and has not expired since).</summary>
    public bool IsRevoked(string sessionId)
    {
        lock (_lock)
        {
            EnsureLoaded();
            return _revoked.TryGetValue(sessionId, out long until) && until > _time.GetUtcNow().ToUnixTimeMilliseconds();
        }
    }

    /// <summary>Revokes the session until its expiry, on every broker sharing the storage; expired revocations are dropped.</summary>
    public void Revoke(string sessionId, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var entries = new Dictionary<string, byte[]>(_storage.Load(), StringComparer.Ordinal);
            foreach (string name in entries.Keys.Where(k => k.StartsWith(RevokedPrefix, StringComparison.Ordinal)).ToList())
            {
                if (entries[name].Length != 8 || BinaryPrimitives.ReadInt64BigEndian(entries[name]) <= now)
                {
                    entries.Remove(name);
                }
            }
            var until = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(until, expiresAt.ToUnixTimeMilliseconds());
            entries[RevokedPrefix + sessionId] = until;
            _storage.Save(entries);
            Apply(entries);
        }
    }

    /// <summary>Re-reads the storage (a cluster broker calls this when the metadata store changed).</summary>
    public void Reload()
    {
        lock (_lock)
        {
            Apply(_storage.Load());
        }
    }

    private void EnsureLoaded()
    {
        if (!_loaded)
        {
            Apply(_storage.Load());
        }
    }

    private void Apply(IReadOnlyDictionary<string, byte[]> entries)
    {
        _key = entries.TryGetValue(KeyEntry, out byte[]? key) && key.Length >= 32 ? key : null;
        _revoked = entries.Where(e => e.Key.StartsWith(RevokedPrefix, StringComparison.Ordinal) && e.Value.Length == 8)
            .ToDictionary(e => e.Key[RevokedPrefix.Length..], e => BinaryPrimitives.ReadInt64BigEndian(e.Value), StringComparer.Ordinal);
        _loaded = true;
    }
}

/// <summary>Where the console's session state is kept: every entry at once (name → bytes), replaced as a whole.</summary>
internal interface IConsoleSessionStorage
{
    IReadOnlyDictionary<string, byte[]> Load();

    void Save(IReadOnlyDictionary<string, byte[]> entries);
}

/// <summary><c>rill-console-sessions.json</c> in the first log dir: owner-only (0600), written to a temporary file, fsynced, renamed.</summary>
internal sealed class FileConsoleSessionStorage(string logDir) : IConsoleSessionStorage
{
    public const string FileName = "rill-console-sessions.json";
    private readonly string _path = Path.Combine(logDir, FileName);

    public IReadOnlyDictionary<string, byte[]> Load()
    {
        if (!File.Exists(_path))
        {
            return new Dictionary<string, byte[]>(StringComparer.Ordinal);
        }
        using FileStream stream = File.OpenRead(_path);
        ConsoleSessionsFile file = JsonSerializer.Deserialize(stream, ConsoleSessionsJson.Default.ConsoleSessionsFile)
            ?? throw new InvalidDataException($"{_path} is empty.");
        if (file.Version != 1)
        {
            throw new InvalidDataException($"{_path} has version {file.Version}; this Rill reads version 1.");
        }
        return file.Entries.ToDictionary(e => e.Key, e => Convert.FromBase64String(e.Value), StringComparer.Ordinal);
    }

    public void Save(IReadOnlyDictionary<string, byte[]> entries)
    {
        Directory.CreateDirectory(logDir);
        string temp = _path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, new ConsoleSessionsFile(1, entries.ToDictionary(e => e.Key, e => Convert.ToBase64String(e.Value), StringComparer.Ordinal)),
                ConsoleSessionsJson.Default.ConsoleSessionsFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }
}

internal sealed record ConsoleSessionsFile(int Version, Dictionary<string, string> Entries);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ConsoleSessionsFile))]
internal sealed partial class ConsoleSessionsJson : JsonSerializerContext;
