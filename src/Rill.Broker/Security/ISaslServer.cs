namespace Rill.Broker.Security;

/// <summary>One step of a SASL exchange: the bytes to send back, and whether it is finished.</summary>
internal readonly record struct SaslStep(byte[] Response, bool Complete, string? User, string? Error)
{
    public static SaslStep Fail(string error) => new([], true, null, error);
}

/// <summary>The server side of one SASL mechanism for one connection.</summary>
internal interface ISaslServer
{
    SaslStep Evaluate(ReadOnlySpan<byte> clientMessage);
}
