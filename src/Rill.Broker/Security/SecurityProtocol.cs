namespace Rill.Broker.Security;

/// <summary>Kafka's listener security protocols (listener.security.protocol.map values).</summary>
public enum SecurityProtocol
{
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

internal static class SecurityProtocols
{
    public static SecurityProtocol Parse(string name) => name switch
    {
        "PLAINTEXT" => SecurityProtocol.Plaintext,
        "SSL" => SecurityProtocol.Ssl,
        "SASL_PLAINTEXT" => SecurityProtocol.SaslPlaintext,
        "SASL_SSL" => SecurityProtocol.SaslSsl,
        _ => throw new Config.ConfigException("listener.security.protocol.map", $"Unknown security protocol '{name}' (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)"),
    };

    public static bool UsesTls(this SecurityProtocol p) => p is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;

    public static bool UsesSasl(this SecurityProtocol p) => p is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
}
