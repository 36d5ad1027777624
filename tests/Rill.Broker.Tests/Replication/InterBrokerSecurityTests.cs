using Rill.Broker.Config;
using Rill.Broker.Replication;
using Rill.Broker.Security;
using Rill.Cluster;

namespace Rill.Broker.Tests.Replication;

public class InterBrokerSecurityTests
{
    private static InterBrokerSecurity From(Dictionary<string, string> properties)
    {
        properties.TryAdd("log.dirs", Path.GetTempPath());
        BrokerConfig config = BrokerConfig.FromProperties(properties);
        return InterBrokerSecurity.FromConfig(config, new BrokerSecurity(config));
    }

    private const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" password=\"s\" user_broker=\"s\";";

    [Fact]
    public void Without_inter_broker_settings_followers_use_each_leaders_first_listener_in_plaintext()
    {
        InterBrokerSecurity security = From(new() { ["listeners"] = "CLIENT://127.0.0.1:0", ["listener.security.protocol.map"] = "CLIENT:PLAINTEXT" });
        Assert.Null(security.ListenerName);
        Assert.Equal(SecurityProtocol.Plaintext, security.Protocol);
    }

    [Fact]
    public void The_named_listener_gives_the_protocol_and_the_mechanism_with_the_listeners_jaas_credentials()
    {
        InterBrokerSecurity security = From(new()
        {
            ["listeners"] = "EXTERNAL://127.0.0.1:0,INTERNAL://127.0.0.1:0",
            ["listener.security.protocol.map"] = "EXTERNAL:PLAINTEXT,INTERNAL:SASL_PLAINTEXT",
            ["inter.broker.listener.name"] = "internal",
            ["sasl.enabled.mechanisms"] = "PLAIN",
            ["listener.name.internal.plain.sasl.jaas.config"] = Jaas,
        });
        Assert.Equal("INTERNAL", security.ListenerName);
        Assert.Equal(SecurityProtocol.SaslPlaintext, security.Protocol);
        Assert.Equal("PLAIN", security.Mechanism);
    }

    [Fact]
    public void Security_inter_broker_protocol_names_the_listener_of_that_name()
    {
        InterBrokerSecurity security = From(new()
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            ["security.inter.broker.protocol"] = "SASL_PLAINTEXT",
            ["sasl.enabled.mechanisms"] = "PLAIN",
            ["sasl.jaas.config"] = Jaas,
        });
        Assert.Equal("SASL_PLAINTEXT", security.ListenerName);
    }

    [Theory]
    [InlineData("inter.broker.listener.name", "NOPE")] // not a listener
    [InlineData("sasl.mechanism.inter.broker.protocol", "GSSAPI")] // not served
    [InlineData("security.inter.broker.protocol", "SASL_PLAINTEXT")] // together with inter.broker.listener.name
    public void Bad_inter_broker_settings_fail_the_start(string property, string value)
    {
        var properties = new Dictionary<string, string>
        {
            ["listeners"] = "EXTERNAL://127.0.0.1:0,INTERNAL://127.0.0.1:0",
            ["listener.security.protocol.map"] = "EXTERNAL:PLAINTEXT,INTERNAL:SASL_PLAINTEXT",
            ["inter.broker.listener.name"] = "INTERNAL",
            ["sasl.enabled.mechanisms"] = "PLAIN",
            ["listener.name.internal.plain.sasl.jaas.config"] = Jaas,
        };
        properties[property] = value;
        Assert.Throws<ConfigException>(() => From(properties));
    }

    [Fact]
    public void A_sasl_inter_broker_listener_needs_a_username_and_password_in_its_jaas_config() =>
        Assert.Throws<ConfigException>(() => From(new()
        {
            ["listeners"] = "INTERNAL://127.0.0.1:0",
            ["listener.security.protocol.map"] = "INTERNAL:SASL_PLAINTEXT",
            ["inter.broker.listener.name"] = "INTERNAL",
            ["sasl.enabled.mechanisms"] = "PLAIN",
            ["listener.name.internal.plain.sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required user_broker=\"s\";",
        }));

    [Fact]
    public void A_registration_answers_per_listener_and_old_registrations_without_endpoints_still_read()
    {
        var info = new BrokerInfo(2, "10.0.0.2", 9093, "r1", [new BrokerEndpoint("INTERNAL", "10.0.0.2", 9093), new BrokerEndpoint("EXTERNAL", "public.example", 443)]);
        BrokerInfo read = BrokerInfo.FromJson(info.ToJson());
        Assert.Equal(("public.example", 443), read.EndpointFor("EXTERNAL"));
        Assert.Equal(("10.0.0.2", 9093), read.EndpointFor("internal"));
        Assert.Null(read.EndpointFor("OTHER"));
        Assert.Equal(("10.0.0.2", 9093), read.EndpointFor(null));

        BrokerInfo old = BrokerInfo.FromJson("""{"Id":1,"Host":"h","Port":9092,"Rack":null}"""u8.ToArray());
        Assert.Equal(("h", 9092), old.EndpointFor("EXTERNAL"));
    }

    [Fact]
    public void A_registration_read_back_from_the_store_equals_the_one_in_the_view()
    {
        // The fast failure detector fences only when the stored registration equals the one it probed.
        var info = new BrokerInfo(2, "10.0.0.2", 9093, null, [new BrokerEndpoint("INTERNAL", "10.0.0.2", 9093), new BrokerEndpoint("EXTERNAL", "h", 443)]);
        BrokerInfo read = BrokerInfo.FromJson(info.ToJson());
        Assert.Equal(info, read);
        Assert.Equal(info.GetHashCode(), read.GetHashCode());
        Assert.Contains(read, new HashSet<BrokerInfo> { info });
        Assert.NotEqual(info, read with { Endpoints = [new BrokerEndpoint("INTERNAL", "10.0.0.2", 9094)] });
        Assert.NotEqual(info, read with { Endpoints = null });
    }
}
