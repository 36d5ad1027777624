using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Rill.Server.Http.WebConsole;

/// <summary>
/// The console's login sessions, in memory (a restart logs everyone out): a random 256-bit id (the
/// cookie) maps to the principal, a random CSRF token and an absolute expiry. Logout removes the entry.
/// </summary>
internal sealed class ConsoleSessions(TimeProvider time, TimeSpan lifetime)
{
    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    public TimeSpan Lifetime => lifetime;

    public ConsoleSession Create(string principal)
    {
        PruneExpired();
        var session = new ConsoleSession(NewToken(), principal, NewToken(), time.GetUtcNow() + lifetime);
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>The live session with this id; null when unknown or expired (an expired one is removed).</summary>
    public ConsoleSession? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_sessions.TryGetValue(id, out ConsoleSession? session))
        {
            return null;
        }
        if (time.GetUtcNow() >= session.ExpiresAt)
        {
            _sessions.TryRemove(id, out _);
            return null;
        }
        return session;
    }

    public void Remove(string id) => _sessions.TryRemove(id, out _);

    public int Count => _sessions.Count;

    private void PruneExpired()
    {
        DateTimeOffset now = time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (now >= session.ExpiresAt)
            {
                _sessions.TryRemove(id, out _);
            }
        }
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed record ConsoleSession(string Id, string Principal, string CsrfToken, DateTimeOffset ExpiresAt);
