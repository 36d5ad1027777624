using System.Security.Cryptography;
using System.Text;

namespace Rill.Broker.Security;

/// <summary>
/// SASL/PLAIN (RFC 4616): one message <c>[authzid] NUL authcid NUL password</c>, checked against
/// the listener's PlainLoginModule users. An authorization id other than the user is refused, as
/// Kafka does.
/// </summary>
internal sealed class PlainSaslServer : ISaslServer
{
    private readonly IReadOnlyDictionary<string, string> _users;

    public PlainSaslServer(IReadOnlyDictionary<string, string> users) => _users = users;

    public SaslStep Evaluate(ReadOnlySpan<byte> clientMessage)
    {
        int first = clientMessage.IndexOf((byte)0);
        int second = first < 0 ? -1 : clientMessage[(first + 1)..].IndexOf((byte)0);
        if (first < 0 || second < 0)
        {
            return SaslStep.Fail("Invalid SASL/PLAIN response: expected 3 tokens");
        }
        string authzid = Encoding.UTF8.GetString(clientMessage[..first]);
        string user = Encoding.UTF8.GetString(clientMessage.Slice(first + 1, second));
        ReadOnlySpan<byte> password = clientMessage[(first + 2 + second)..];
        if (user.Length == 0)
        {
            return SaslStep.Fail("Authentication failed: username not specified");
        }
        if (authzid.Length != 0 && authzid != user)
        {
            return SaslStep.Fail("Authentication failed: Client requested an authorization id that is different from username");
        }
        if (!_users.TryGetValue(user, out string? expected)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), password))
        {
            return SaslStep.Fail("Authentication failed: Invalid username or password");
        }
        return new SaslStep([], true, user, null);
    }
}
