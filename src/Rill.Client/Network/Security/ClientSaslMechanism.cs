using System.Text;
using Rill.Protocol;
using Rill.Protocol.Sasl;

namespace Rill.Client.Network.Security;

/// <summary>The client side of one SASL exchange: the first message, then one reply per server message until done.</summary>
internal abstract class ClientSaslMechanism
{
    public abstract byte[] First();

    /// <summary>The next message for <paramref name="serverMessage"/>, or null when the exchange is complete.</summary>
    public abstract byte[]? Next(ReadOnlySpan<byte> serverMessage);

    public static ClientSaslMechanism Create(ClientConfig config) => config.SaslMechanism switch
    {
        "PLAIN" => new PlainClient(Require(config.SaslUsername, "sasl.username"), Require(config.SaslPassword, "sasl.password")),
        "SCRAM-SHA-256" or "SCRAM-SHA-512" => new ScramClient(ScramMechanisms.Parse(config.SaslMechanism),
            Require(config.SaslUsername, "sasl.username"), Require(config.SaslPassword, "sasl.password")),
        "OAUTHBEARER" => new OAuthBearerClient(config.SaslOauthbearerTokenProvider?.Invoke()
            ?? Require(config.SaslOauthbearerToken, "sasl.oauthbearer.token")),
        _ => throw new ArgumentException($"sasl.mechanism '{config.SaslMechanism}' is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)."),
    };

    private static string Require(string? value, string name) =>
        value ?? throw new ArgumentException($"{name} is required for SASL with this mechanism.");

    protected static KafkaException Failed(string message) => new(ErrorCode.SaslAuthenticationFailed, message);
}

/// <summary>PLAIN (RFC 4616): NUL user NUL password, one message.</summary>
internal sealed class PlainClient(string user, string password) : ClientSaslMechanism
{
    public override byte[] First() => Encoding.UTF8.GetBytes("\0" + user + "\0" + password);

    public override byte[]? Next(ReadOnlySpan<byte> serverMessage) => null;
}

/// <summary>OAUTHBEARER (RFC 7628 client initial response, KIP-255): <c>n,,\x01auth=Bearer token\x01\x01</c>.</summary>
internal sealed class OAuthBearerClient(string token) : ClientSaslMechanism
{
    public override byte[] First() => Encoding.UTF8.GetBytes("n,,\u0001auth=Bearer " + token + "\u0001\u0001");

    // A non-empty reply is the server's error (a JSON status); RFC 7628 has the client answer 0x01.
    public override byte[]? Next(ReadOnlySpan<byte> serverMessage) => serverMessage.IsEmpty ? null : [0x01];
}

/// <summary>
/// SCRAM-SHA-256/512 (RFC 5802): client-first, client-final with the proof, then checks the
/// server's signature, so a broker that does not know the password cannot pass as the real one.
/// </summary>
internal sealed class ScramClient(ScramMechanism mechanism, string user, string password) : ClientSaslMechanism
{
    private readonly string _clientNonce = ScramFunctions.Nonce();
    private string _clientFirstBare = "";
    private string? _authMessage;
    private byte[]? _saltedPassword;

    public override byte[] First()
    {
        _clientFirstBare = "n=" + ScramFunctions.EscapeName(user) + ",r=" + _clientNonce;
        return Encoding.UTF8.GetBytes("n,," + _clientFirstBare);
    }

    public override byte[]? Next(ReadOnlySpan<byte> serverMessage)
    {
        string message = Encoding.UTF8.GetString(serverMessage);
        if (_authMessage is null)
        {
            ScramAttributes? attributes = ScramAttributes.Parse(message);
            string? nonce = attributes?.Get('r'), salt = attributes?.Get('s'), iterationText = attributes?.Get('i');
            if (nonce is null || salt is null || !int.TryParse(iterationText, out int iterations))
            {
                throw Failed("Invalid SCRAM server-first message");
            }
            if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal) || nonce.Length == _clientNonce.Length)
            {
                throw Failed("SCRAM server nonce does not extend the client nonce");
            }
            if (iterations < ScramMechanisms.MinIterations)
            {
                throw Failed($"SCRAM iterations {iterations} below the minimum {ScramMechanisms.MinIterations}");
            }
            _saltedPassword = ScramFunctions.SaltedPassword(mechanism, password, Convert.FromBase64String(salt), iterations);
            string withoutProof = "c=biws,r=" + nonce;
            _authMessage = _clientFirstBare + "," + message + "," + withoutProof;
            byte[] proof = ScramFunctions.ClientProof(mechanism, _saltedPassword, _authMessage);
            return Encoding.UTF8.GetBytes(withoutProof + ",p=" + Convert.ToBase64String(proof));
        }
        ScramAttributes? final = ScramAttributes.Parse(message);
        if (final?.Get('e') is { } error)
        {
            throw Failed("SCRAM authentication failed: " + error);
        }
        string expected = Convert.ToBase64String(ScramFunctions.ServerSignature(mechanism, ScramFunctions.ServerKey(mechanism, _saltedPassword), _authMessage));
        if (final?.Get('v') != expected)
        {
            throw Failed("SCRAM server signature does not match: the broker does not know this password");
        }
        return null;
    }
}
