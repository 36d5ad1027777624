using System.Text;
using Rill.Protocol.Sasl;

namespace Rill.Broker.Security.Scram;

/// <summary>
/// The server side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka runs it: client-first
/// (<c>n,[a=authzid],n=user,r=nonce</c>), server-first (<c>r=nonce+server nonce,s=salt,i=iterations</c>),
/// client-final (<c>c=biws,r=nonce,p=proof</c>), server-final (<c>v=signature</c>). Channel binding is
/// refused, an authorization id must equal the user, the combined nonce must come back unchanged
/// (so a client-final replayed from another exchange fails), and anything malformed, out of order
/// or after the end fails the exchange.
/// </summary>
internal sealed class ScramSaslServer : ISaslServer
{
    private enum State { ClientFirst, ClientFinal, Done }

    private readonly ScramMechanism _mechanism;
    private readonly ScramCredentialStore _store;
    private readonly Func<string> _serverNonce;
    private State _state;
    private string _user = "";
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _nonce = "";
    private string _channelBinding = "";
    private ScramCredential? _credential;

    /// <param name="serverNonce">The server's part of the nonce; random unless a test fixes it.</param>
    public ScramSaslServer(ScramMechanism mechanism, ScramCredentialStore store, Func<string>? serverNonce = null)
    {
        _mechanism = mechanism;
        _store = store;
        _serverNonce = serverNonce ?? ScramFunctions.Nonce;
    }

    public SaslStep Evaluate(ReadOnlySpan<byte> clientMessage)
    {
        string message;
        try
        {
            message = new UTF8Encoding(false, true).GetString(clientMessage);
        }
        catch (DecoderFallbackException)
        {
            return Fail("Invalid SCRAM message: not UTF-8");
        }
        return _state switch
        {
            State.ClientFirst => ClientFirst(message),
            State.ClientFinal => ClientFinal(message),
            _ => Fail("Invalid SCRAM message: the exchange is already complete"),
        };
    }

    private SaslStep Fail(string error)
    {
        _state = State.Done;
        return SaslStep.Fail(error);
    }

    private SaslStep ClientFirst(string message)
    {
        // gs2-header: "n," [ "a=" authzid ] ","; only "n" (no channel binding) as in Kafka.
        if (!message.StartsWith("n,", StringComparison.Ordinal))
        {
            return Fail("Invalid SCRAM client-first message: channel binding is not supported (gs2 header must start with 'n,')");
        }
        int headerEnd = message.IndexOf(',', 2);
        if (headerEnd < 0)
        {
            return Fail("Invalid SCRAM client-first message: truncated gs2 header");
        }
        string authzid = message[2..headerEnd];
        _clientFirstBare = message[(headerEnd + 1)..];
        _channelBinding = Convert.ToBase64String(Encoding.UTF8.GetBytes(message[..(headerEnd + 1)]));
        ScramAttributes? attributes = ScramAttributes.Parse(_clientFirstBare);
        if (attributes is null || attributes.Count < 2 || attributes.KeyAt(0) != 'n' || attributes.KeyAt(1) != 'r' || attributes.ValueAt(1).Length == 0)
        {
            return Fail("Invalid SCRAM client-first message: expected n=<user>,r=<nonce>");
        }
        for (int i = 2; i < attributes.Count; i++)
        {
            // Extensions: tokenauth=true asks for delegation tokens, which Rill does not have.
            if (attributes.KeyAt(i) == 't')
            {
                return Fail("Authentication failed: delegation tokens are not supported");
            }
        }
        string? user = ScramFunctions.UnescapeName(attributes.ValueAt(0));
        if (user is null || user.Length == 0)
        {
            return Fail("Invalid SCRAM client-first message: bad user name");
        }
        if (authzid.Length != 0 && (!authzid.StartsWith("a=", StringComparison.Ordinal) || ScramFunctions.UnescapeName(authzid[2..]) != user))
        {
            return Fail("Authentication failed: Client requested an authorization id that is different from username");
        }
        _credential = _store.Find(user, _mechanism);
        if (_credential is null)
        {
            return Fail("Authentication failed: Invalid user credentials");
        }
        _user = user;
        _nonce = attributes.ValueAt(1) + _serverNonce();
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        _state = State.ClientFinal;
        return new SaslStep(Encoding.UTF8.GetBytes(_serverFirst), false, null, null);
    }

    private SaslStep ClientFinal(string message)
    {
        ScramAttributes? attributes = ScramAttributes.Parse(message);
        if (attributes is null || attributes.Count < 3 || attributes.KeyAt(0) != 'c' || attributes.KeyAt(1) != 'r' || attributes.KeyAt(attributes.Count - 1) != 'p')
        {
            return Fail("Invalid SCRAM client-final message: expected c=<binding>,r=<nonce>,p=<proof>");
        }
        if (attributes.ValueAt(0) != _channelBinding)
        {
            return Fail("Invalid SCRAM client-final message: channel binding does not match the gs2 header");
        }
        // Kafka accepts a nonce that ends with the combined one (its check is endsWith): librdkafka sends
        // its client nonce followed by the server's r= value, i.e. the client nonce twice. The server's
        // random part must be there either way, so a client-final from another exchange still fails.
        if (!attributes.ValueAt(1).EndsWith(_nonce, StringComparison.Ordinal))
        {
            return Fail("Authentication failed: Invalid nonce");
        }
        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(attributes.ValueAt(attributes.Count - 1));
        }
        catch (FormatException)
        {
            return Fail("Invalid SCRAM client-final message: proof is not base64");
        }
        int proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        string authMessage = _clientFirstBare + "," + _serverFirst + "," + message[..proofAt];
        if (!ScramFunctions.VerifyClientProof(_mechanism, _credential!.StoredKey, authMessage, proof))
        {
            return Fail("Authentication failed: Invalid user credentials");
        }
        _state = State.Done;
        byte[] signature = ScramFunctions.ServerSignature(_mechanism, _credential.ServerKey, authMessage);
        return new SaslStep(Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(signature)), true, _user, null);
    }
}
