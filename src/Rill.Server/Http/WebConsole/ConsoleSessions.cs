using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Rill.Broker.WebConsole;

namespace Rill.Server.Http.WebConsole;

/// <summary>
/// The console's login sessions as signed tokens (the cookie), so that a session survives a broker restart and
/// is valid on every broker of a cluster without a session table: <c>1.{payload}.{mac}</c>, base64url, where the
/// payload is a random 128-bit session id, the login time, the last activity, the absolute expiry (login +
/// <c>rill.console.session.lifetime.ms</c>, or the OAUTHBEARER token's expiry if sooner) and the principal, and
/// the mac is HMAC-SHA256 of <c>1.{payload}</c> with the key of <see cref="ConsoleSessionState"/> (the log dir's
/// file, or the cluster's metadata store). A token is refused when its mac is wrong, it is past its expiry, its
/// last activity is older than <c>rill.console.session.idle.timeout.ms</c>, or its session id was revoked by a
/// logout (kept in the same state until the expiry). Activity moves the last-activity time forward by issuing a
/// new token (at most every <see cref="RefreshInterval"/>). The CSRF token is HMAC-SHA256 of the session id,
/// so every broker derives the same one.
/// </summary>
internal sealed class ConsoleSessions(ConsoleSessionState state, TimeProvider time, TimeSpan lifetime, TimeSpan idleTimeout)
{
    private const string Version = "1";
    private const int IdBytes = 16;
    private const int FixedBytes = IdBytes + 3 * sizeof(long);

    public TimeSpan Lifetime => lifetime;

    public TimeSpan IdleTimeout => idleTimeout;

    /// <summary>How stale the last-activity time of a token may get before activity issues a new one.</summary>
    public TimeSpan RefreshInterval { get; } = TimeSpan.FromTicks(Math.Min(idleTimeout.Ticks / 10, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>A new session for the principal, expiring after the lifetime or at <paramref name="credentialExpiry"/> if sooner.</summary>
    public ConsoleSession Create(string principal, DateTimeOffset? credentialExpiry = null)
    {
        DateTimeOffset now = Truncate(time.GetUtcNow());
        DateTimeOffset expires = now + lifetime;
        if (credentialExpiry is { } e && e < expires)
        {
            expires = Truncate(e);
        }
        return Issue(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes)), principal, now, now, expires);
    }

    /// <summary>The session a token stands for; null when it is malformed, tampered with, expired, idle too long or logged out.</summary>
    public ConsoleSession? Find(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 8192)
        {
            return null;
        }
        string[] parts = token.Split('.');
        if (parts.Length != 3 || parts[0] != Version || !TryBase64Url(parts[1], out byte[] payload) || !TryBase64Url(parts[2], out byte[] mac)
            || payload.Length < FixedBytes)
        {
            return null;
        }
        byte[] expected = HMACSHA256.HashData(state.SigningKey, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, mac))
        {
            return null;
        }
        string id = Convert.ToHexStringLower(payload.AsSpan(0, IdBytes));
        var login = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(IdBytes)));
        var active = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(IdBytes + 8)));
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(IdBytes + 16)));
        string principal;
        try
        {
            principal = new UTF8Encoding(false, true).GetString(payload.AsSpan(FixedBytes));
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        DateTimeOffset now = time.GetUtcNow();
        if (now >= expires || now - active >= idleTimeout || state.IsRevoked(id))
        {
            return null;
        }
        return new ConsoleSession(id, principal, Csrf(id), login, active, expires, token, Min(active + idleTimeout, expires));
    }

    /// <summary>
    /// A new token with the last activity at <paramref name="activeAt"/> (now, or when the user last touched the
    /// page), or null when the session's token is recent enough to keep.
    /// </summary>
    public ConsoleSession? Refresh(ConsoleSession session, DateTimeOffset activeAt)
    {
        activeAt = Truncate(Min(activeAt, time.GetUtcNow()));
        return activeAt - session.LastActive >= RefreshInterval
            ? Issue(session.Id, session.Principal, session.LoginAt, activeAt, session.ExpiresAt)
            : null;
    }

    /// <summary>Logs the session out on every broker sharing the state (until it would have expired anyway).</summary>
    public void Revoke(ConsoleSession session) => state.Revoke(session.Id, session.ExpiresAt);

    private ConsoleSession Issue(string id, string principal, DateTimeOffset login, DateTimeOffset active, DateTimeOffset expires)
    {
        byte[] name = Encoding.UTF8.GetBytes(principal);
        byte[] payload = new byte[FixedBytes + name.Length];
        Convert.FromHexString(id).CopyTo(payload, 0);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(IdBytes), login.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(IdBytes + 8), active.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(IdBytes + 16), expires.ToUnixTimeMilliseconds());
        name.CopyTo(payload, FixedBytes);
        string signed = Version + "." + Base64Url(payload);
        string token = signed + "." + Base64Url(HMACSHA256.HashData(state.SigningKey, Encoding.ASCII.GetBytes(signed)));
        return new ConsoleSession(id, principal, Csrf(id), login, active, expires, token, Min(active + idleTimeout, expires));
    }

    private string Csrf(string id) => Base64Url(HMACSHA256.HashData(state.SigningKey, Encoding.ASCII.GetBytes("csrf." + id)));

    private static DateTimeOffset Truncate(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryBase64Url(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length > 8192 || text.Contains('=') || text.Contains('+') || text.Contains('/'))
        {
            return false;
        }
        string padded = text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - text.Length % 4) % 4);
        try
        {
            bytes = Convert.FromBase64String(padded);
            return Base64Url(bytes) == text; // only the canonical spelling: no other token decodes to the same bytes
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>
/// One login: the session id, principal, CSRF token, times, the token (the cookie) standing for it, and when it
/// ends if left idle (<see cref="IdleExpiresAt"/>; never after <see cref="ExpiresAt"/>).
/// </summary>
internal sealed record ConsoleSession(string Id, string Principal, string CsrfToken, DateTimeOffset LoginAt, DateTimeOffset LastActive,
    DateTimeOffset ExpiresAt, string Token, DateTimeOffset IdleExpiresAt);
