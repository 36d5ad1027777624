using Rill.Hosting;
using Xunit;

namespace Rill.Interop.Tests.Security;

/// <summary>
/// A broker with ACLs on, as a Kafka operator configures it: StandardAuthorizer, super.users=User:admin,
/// a SASL_PLAINTEXT listener with PLAIN users admin, bob, carol and dave (password "&lt;user&gt;-pw").
/// </summary>
public sealed class AclBrokerFixture : IAsyncLifetime
{
    public EmbeddedBroker Broker { get; private set; } = null!;

    public string Bootstrap => $"127.0.0.1:{Broker.Host.KafkaEndPoints[0].Port}";

    public async Task InitializeAsync()
    {
        const string jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-pw\" "
            + "user_admin=\"admin-pw\" user_bob=\"bob-pw\" user_carol=\"carol-pw\" user_dave=\"dave-pw\";";
        Broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0",
            ["sasl.enabled.mechanisms"] = "PLAIN",
            ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = jaas,
            ["authorizer.class.name"] = "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            ["super.users"] = "User:admin;User:ops",
            ["num.partitions"] = "1",
            ["group.initial.rebalance.delay.ms"] = "0",
        });
    }

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}
