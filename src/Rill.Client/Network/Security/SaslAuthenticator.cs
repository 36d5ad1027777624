using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Network.Security;

/// <summary>
/// Authenticates a connection with SaslHandshake v1 and SaslAuthenticate (v0-2, the highest both
/// sides serve), as librdkafka and the Java client do. Returns the session lifetime the broker set
/// (KIP-368, 0 when it does not expire), so the connection can re-authenticate before it ends.
/// </summary>
internal static class SaslAuthenticator
{
    public static async Task<long> AuthenticateAsync(BrokerConnection connection, ClientConfig config, CancellationToken cancellationToken)
    {
        var handshake = await connection.SendAsync<SaslHandshakeResponse>(ApiKey.SaslHandshake, 1,
            new SaslHandshakeRequest { Mechanism = config.SaslMechanism }, cancellationToken).ConfigureAwait(false);
        if (handshake.ErrorCode != 0)
        {
            throw new KafkaException((ErrorCode)handshake.ErrorCode, $"SaslHandshake with {connection.Host}:{connection.Port} for {config.SaslMechanism}: "
                + $"{(ErrorCode)handshake.ErrorCode} (the broker offers {string.Join(", ", handshake.Mechanisms)})");
        }
        short version = connection.Versions.Pick(ApiKey.SaslAuthenticate);
        ClientSaslMechanism mechanism = ClientSaslMechanism.Create(config);
        byte[]? message = mechanism.First();
        long lifetime = 0;
        while (message is not null)
        {
            var response = await connection.SendAsync<SaslAuthenticateResponse>(ApiKey.SaslAuthenticate, version,
                new SaslAuthenticateRequest { AuthBytes = message }, cancellationToken).ConfigureAwait(false);
            if (response.ErrorCode != 0)
            {
                throw new KafkaException((ErrorCode)response.ErrorCode, $"SASL {config.SaslMechanism} authentication with {connection.Host}:{connection.Port} failed: "
                    + (response.ErrorMessage ?? ((ErrorCode)response.ErrorCode).ToString()));
            }
            lifetime = response.SessionLifetimeMs;
            message = mechanism.Next(response.AuthBytes.Span);
        }
        return lifetime;
    }
}
