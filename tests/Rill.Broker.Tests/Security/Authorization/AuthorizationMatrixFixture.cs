using System.Text;
using Rill.Broker.Security.Authorization;
using Rill.Hosting;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.Security.Authorization;

/// <summary>
/// A broker with ACLs on (StandardAuthorizer), a PLAINTEXT and a SASL_PLAINTEXT listener, PLAIN users
/// admin (a super user), bob and carol (no ACLs of their own until a test grants them).
/// </summary>
public sealed class AuthorizationMatrixFixture : IAsyncLifetime
{
    public EmbeddedBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        const string jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-pw\" "
            + "user_admin=\"admin-pw\" user_bob=\"bob-pw\" user_carol=\"carol-pw\";";
        Broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            ["sasl.enabled.mechanisms"] = "PLAIN",
            ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = jaas,
            ["authorizer.class.name"] = AclAuthorizer.StandardAuthorizerClass,
            ["super.users"] = "User:admin",
            ["num.partitions"] = "1",
            ["group.initial.rebalance.delay.ms"] = "0",
        });
    }

    public async Task DisposeAsync() => await Broker.DisposeAsync();

    public string PlaintextEndpoint => $"127.0.0.1:{Broker.Host.KafkaEndPoints[0].Port}";

    /// <summary>A connection authenticated with SASL/PLAIN as <paramref name="user"/> (password "&lt;user&gt;-pw").</summary>
    internal async Task<WireClient> ConnectAsAsync(string user)
    {
        var client = await WireClient.ConnectAsync($"127.0.0.1:{Broker.Host.KafkaEndPoints[1].Port}");
        var handshake = await client.RequestAsync<SaslHandshakeResponse>(ApiKey.SaslHandshake, 1, new SaslHandshakeRequest { Mechanism = "PLAIN" });
        Assert.Equal(0, handshake.ErrorCode);
        var auth = await client.RequestAsync<SaslAuthenticateResponse>(ApiKey.SaslAuthenticate, 2,
            new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes($"\0{user}\0{user}-pw") });
        Assert.Equal(0, auth.ErrorCode);
        return client;
    }
}
