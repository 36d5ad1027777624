using System.Text;
using Rill.Broker.WebConsole;
using Rill.Server.Http.WebConsole;

namespace Rill.Server.Tests;

/// <summary>
/// The console's signed session tokens on a fake clock: a token stands for its session on any instance with
/// the same key (a restart, another broker), and is refused when tampered with, signed by another key, past
/// its absolute lifetime or the credential's expiry, idle too long, or logged out.
/// </summary>
public sealed class ConsoleSessionTokenTests : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(30);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();

    private ConsoleSessions Sessions(string? dir = null) => new(ConsoleSessionState.InDirectory(dir ?? _dir.Path, _time), _time, Lifetime, Idle);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_token_stands_for_its_session_after_a_restart()
    {
        ConsoleSession session = Sessions().Create("User:alice");
        ConsoleSession? found = Sessions().Find(session.Token); // a new instance over the same log dir: a restarted broker
        Assert.NotNull(found);
        Assert.Equal(("User:alice", session.Id, session.CsrfToken), (found.Principal, found.Id, found.CsrfToken));
        Assert.Equal(_time.GetUtcNow() + Lifetime, found.ExpiresAt);
        Assert.Equal(_time.GetUtcNow() + Idle, found.IdleExpiresAt);
        Assert.NotEqual(session.CsrfToken, Sessions().Create("User:alice").CsrfToken);
    }

    [Fact]
    public void A_tampered_or_foreign_token_is_refused()
    {
        ConsoleSessions sessions = Sessions();
        string token = sessions.Create("User:alice").Token;
        for (int i = 0; i < token.Length; i++)
        {
            if (token[i] == '.')
            {
                continue;
            }
            char other = token[i] == 'A' ? 'B' : 'A';
            string bad = token[..i] + other + token[(i + 1)..];
            Assert.Null(sessions.Find(bad));
        }
        // The principal changed to another user's, without the key: the mac no longer matches.
        string[] parts = token.Split('.');
        byte[] payload = Convert.FromBase64String(Pad(parts[1]));
        byte[] forged = [.. payload[..40], .. Encoding.UTF8.GetBytes("User:admin")];
        Assert.Null(sessions.Find(parts[0] + "." + Unpad(Convert.ToBase64String(forged)) + "." + parts[2]));
        // Signed by another broker's key (another log dir, another cluster).
        Assert.Null(sessions.Find(Sessions(_dir.Sub("elsewhere")).Create("User:alice").Token));
        foreach (string garbage in new[] { "", "x", "1..", "2." + parts[1] + "." + parts[2], token + ".x", parts[0] + "." + parts[1] + ".", "1.!!!.???", new string('a', 10_000) })
        {
            Assert.Null(sessions.Find(garbage));
        }
        Assert.NotNull(sessions.Find(token));
    }

    [Fact]
    public void An_idle_session_expires_and_activity_keeps_it_alive_until_the_absolute_lifetime()
    {
        ConsoleSessions sessions = Sessions();
        ConsoleSession session = sessions.Create("User:alice");
        Assert.Null(sessions.Refresh(session, _time.GetUtcNow())); // nothing to refresh yet
        _time.Advance(Idle - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(sessions.Find(session.Token));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(sessions.Find(session.Token)); // idle for the whole timeout

        // Activity every 20 minutes: a new token each time, the same session, until the 8 hours are up.
        session = sessions.Create("User:bob");
        DateTimeOffset login = _time.GetUtcNow();
        while (_time.GetUtcNow() + TimeSpan.FromMinutes(20) < login + Lifetime)
        {
            _time.Advance(TimeSpan.FromMinutes(20));
            ConsoleSession live = sessions.Find(session.Token) ?? throw new Xunit.Sdk.XunitException($"expired at {_time.GetUtcNow() - login}");
            session = sessions.Refresh(live, _time.GetUtcNow()) ?? throw new Xunit.Sdk.XunitException("no new token after 20 minutes");
            Assert.Equal((live.Id, live.CsrfToken, login), (session.Id, session.CsrfToken, session.LoginAt));
        }
        _time.Advance(login + Lifetime - _time.GetUtcNow());
        Assert.Null(sessions.Find(session.Token));
    }

    [Fact]
    public void Polling_while_the_user_is_away_does_not_move_the_last_activity()
    {
        ConsoleSessions sessions = Sessions();
        ConsoleSession session = sessions.Create("User:alice");
        DateTimeOffset lastInput = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(20));
        // The page says the user last touched it 20 minutes ago: the refreshed token keeps that time.
        Assert.Null(sessions.Refresh(sessions.Find(session.Token)!, lastInput));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(sessions.Find(session.Token));
    }

    [Fact]
    public void An_oauthbearer_session_ends_with_its_token()
    {
        ConsoleSessions sessions = Sessions();
        ConsoleSession session = sessions.Create("User:svc", _time.GetUtcNow().AddMinutes(10));
        Assert.Equal(_time.GetUtcNow().AddMinutes(10), session.ExpiresAt);
        _time.Advance(TimeSpan.FromMinutes(9));
        session = sessions.Refresh(sessions.Find(session.Token)!, _time.GetUtcNow())!;
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(sessions.Find(session.Token));
    }

    [Fact]
    public void Logout_revokes_every_token_of_the_session_also_after_a_restart()
    {
        ConsoleSessions sessions = Sessions();
        ConsoleSession session = sessions.Create("User:alice");
        ConsoleSession other = sessions.Create("User:alice");
        _time.Advance(TimeSpan.FromMinutes(5));
        ConsoleSession refreshed = sessions.Refresh(sessions.Find(session.Token)!, _time.GetUtcNow())!;
        sessions.Revoke(refreshed);
        Assert.Null(sessions.Find(session.Token));
        Assert.Null(sessions.Find(refreshed.Token));
        Assert.Null(Sessions().Find(refreshed.Token));
        Assert.NotNull(Sessions().Find(other.Token));
    }

    private static string Pad(string s) => s.Replace('-', '+').Replace('_', '/') + new string('=', (4 - s.Length % 4) % 4);

    private static string Unpad(string s) => s.TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
