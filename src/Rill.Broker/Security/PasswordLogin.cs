using System.Net;
using System.Text;
using Rill.Broker.Security.Scram;
using Rill.Protocol.Sasl;

namespace Rill.Broker.Security;

/// <summary>
/// Checks a user name and password for a login outside the Kafka protocol (the web console) with the
/// broker's own SASL servers, in process: a SCRAM exchange against <see cref="ScramSaslServer"/> and the
/// SCRAM credential store (SCRAM-SHA-512 first, then SCRAM-SHA-256), else a PLAIN message against each
/// SASL listener's <see cref="PlainSaslServer"/> users. There is no second user store and no second
/// verification code (<see cref="VerifyBearer"/> does the same for OAUTHBEARER tokens). Failures count as failed SASL logins and feed the same per-IP brute-force limit
/// (<c>rill.sasl.max.failed.logins.per.ip</c>): a blocked address is refused without checking.
/// </summary>
public sealed class PasswordLogin(BrokerSecurity security)
{
    /// <summary>True when some Kafka listener authenticates with SASL (then the console asks for a login too).</summary>
    public bool AnySaslListener => security.Listeners.Any(l => l.Protocol.UsesSasl());

    /// <summary>The principal (<c>User:name</c>) when the password is right; else why not, and whether the address is blocked.</summary>
    public LoginResult Verify(string user, string password, EndPoint? remote)
    {
        if (security.LoginLimiter.IsBlocked(remote))
        {
            security.CountFailedLogin();
            return new LoginResult(null, "Too many failed logins from this address: try again later.", Blocked: true);
        }
        if (user.Length > 0 && (VerifyScram(ScramMechanism.ScramSha512, user, password)
            || VerifyScram(ScramMechanism.ScramSha256, user, password) || VerifyPlain(user, password)))
        {
            return new LoginResult("User:" + user, null, Blocked: false);
        }
        security.CountFailedLogin();
        security.LoginLimiter.Record(remote);
        return new LoginResult(null, "Authentication failed: Invalid username or password", Blocked: false);
    }

    /// <summary>
    /// An OAUTHBEARER token checked by the broker's own OAUTHBEARER server (the listeners' JWT validator: keys,
    /// issuer, audience, expiry, sub claim): the principal and the token's expiry when valid. Failures count
    /// as failed SASL logins, as for passwords.
    /// </summary>
    public LoginResult VerifyBearer(string token, EndPoint? remote)
    {
        if (security.LoginLimiter.IsBlocked(remote))
        {
            security.CountFailedLogin();
            return new LoginResult(null, "Too many failed logins from this address: try again later.", Blocked: true);
        }
        byte[] message = Encoding.UTF8.GetBytes("n,,\u0001auth=Bearer " + token.Trim() + "\u0001\u0001");
        bool anyListener = false;
        string? error = null;
        foreach (ListenerSecurity listener in security.Listeners)
        {
            if (listener.CreateSaslServer("OAUTHBEARER") is not { } server)
            {
                continue;
            }
            anyListener = true;
            SaslStep step = server.Evaluate(message);
            if (step is { Error: null, Complete: true, User: { } user })
            {
                return new LoginResult("User:" + user, null, Blocked: false, step.CredentialExpiry);
            }
            error = step.Error ?? server.Evaluate([0x01]).Error; // an invalid token gets an error challenge; the client's 0x01 ends it with the reason
        }
        security.CountFailedLogin();
        security.LoginLimiter.Record(remote);
        return new LoginResult(null, anyListener ? error ?? "Authentication failed: invalid token" : "No listener accepts OAUTHBEARER.", Blocked: false);
    }

    /// <summary>The SCRAM client's half, run against the broker's SCRAM server (which checks the proof against the stored key).</summary>
    private bool VerifyScram(ScramMechanism mechanism, string user, string password)
    {
        if (security.ScramCredentials.Find(user, mechanism) is null)
        {
            return false;
        }
        var server = new ScramSaslServer(mechanism, security.ScramCredentials);
        string clientNonce = ScramFunctions.Nonce();
        string clientFirstBare = "n=" + ScramFunctions.EscapeName(user) + ",r=" + clientNonce;
        SaslStep first = server.Evaluate(Encoding.UTF8.GetBytes("n,," + clientFirstBare));
        if (first.Error is not null)
        {
            return false;
        }
        string serverFirst = Encoding.UTF8.GetString(first.Response);
        ScramAttributes? attributes = ScramAttributes.Parse(serverFirst);
        string? nonce = attributes?.Get('r'), salt = attributes?.Get('s');
        if (nonce is null || salt is null || !int.TryParse(attributes?.Get('i'), out int iterations))
        {
            return false;
        }
        byte[] salted = ScramFunctions.SaltedPassword(mechanism, password, Convert.FromBase64String(salt), iterations);
        string withoutProof = "c=biws,r=" + nonce;
        string authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] proof = ScramFunctions.ClientProof(mechanism, salted, authMessage);
        SaslStep final = server.Evaluate(Encoding.UTF8.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(proof)));
        return final.Error is null && final.Complete && final.User == user;
    }

    private bool VerifyPlain(string user, string password)
    {
        byte[] message = Encoding.UTF8.GetBytes("\0" + user + "\0" + password);
        foreach (ListenerSecurity listener in security.Listeners)
        {
            if (listener.CreateSaslServer("PLAIN") is { } server && server.Evaluate(message) is { Error: null, Complete: true } step && step.User == user)
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>A password check: the principal when it passed, else the reason (and whether the address is over the failed-login limit).</summary>
public sealed record LoginResult(string? Principal, string? Error, bool Blocked, DateTimeOffset? CredentialExpiry = null);
