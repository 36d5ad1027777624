namespace Rill.Broker.Security;

/// <summary>
/// One step of a SASL exchange: the bytes to send back, and whether it is finished. A finished
/// OAUTHBEARER step carries the token's expiry, which bounds the session (KIP-368).
/// </summary>
internal readonly record struct SaslStep(byte[] Response, bool Complete, string? User, string? Error, DateTimeOffset? CredentialExpiry = null)
{
    public static SaslStep Fail(string error) => new([], true, null, error);
}

/// <summary>The server side of one SASL mechanism for one connection.</summary>
internal interface ISaslServer
{
    SaslStep Evaluate(ReadOnlySpan<byte> clientMessage);
}
