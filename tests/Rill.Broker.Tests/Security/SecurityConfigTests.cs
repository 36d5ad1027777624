using System.Text;
using Rill.Broker.Config;
using Rill.Broker.Security;

namespace Rill.Broker.Tests.Security;

public class SecurityConfigTests
{
    [Fact]
    public void Jaas_plain_users_are_read_from_user_entries()
    {
        JaasConfig jaas = JaasConfig.Parse("sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"a\\\"b\" user_admin=\"a\\\"b\" user_bob=bob-pw;");
        Assert.Equal("org.apache.kafka.common.security.plain.PlainLoginModule", jaas.LoginModule);
        Assert.Equal("a\"b", jaas.Options["password"]);
        Assert.Equal(new Dictionary<string, string> { ["admin"] = "a\"b", ["bob"] = "bob-pw" }, jaas.Users());
    }

    [Theory]
    [InlineData("user_a=\"x\";")]
    [InlineData("org.Module required user_a=\"x\"")]
    [InlineData("org.Module required user_a=\"x\" junk;")]
    public void Malformed_jaas_is_a_config_error(string text) =>
        Assert.Throws<ConfigException>(() => JaasConfig.Parse("sasl.jaas.config", text));

    [Fact]
    public void Principal_mapping_rules_apply_in_order_with_default_last()
    {
        SslPrincipalMapper mapper = SslPrincipalMapper.Parse("RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, RULE:^CN=([^,]*),O=(.*)$/$1@$2/, DEFAULT");
        Assert.Equal("kafka-app", mapper.Map("CN=Kafka-App,OU=ServiceUsers,O=Example"));
        Assert.Equal("alice@Example", mapper.Map("CN=alice,O=Example"));
        Assert.Equal("CN=x,OU=y", mapper.Map("CN=x,OU=y"));
        Assert.Null(SslPrincipalMapper.Parse("RULE:^CN=(.*)$/$1/U").Map("OU=none"));
        Assert.Equal("BOB", SslPrincipalMapper.Parse("RULE:^CN=(.*)$/$1/U").Map("CN=bob"));
    }

    [Fact]
    public void Bad_principal_mapping_rules_are_a_config_error() =>
        Assert.Throws<ConfigException>(() => SslPrincipalMapper.Parse("RULE:^CN=(.*)$"));

    [Fact]
    public void Plain_accepts_the_right_password_only()
    {
        var server = new PlainSaslServer(new Dictionary<string, string> { ["alice"] = "secret" });
        Assert.Equal("alice", server.Evaluate(Encoding.UTF8.GetBytes("\0alice\0secret")).User);
        Assert.Equal("alice", server.Evaluate(Encoding.UTF8.GetBytes("alice\0alice\0secret")).User);
        Assert.NotNull(server.Evaluate(Encoding.UTF8.GetBytes("\0alice\0wrong")).Error);
        Assert.NotNull(server.Evaluate(Encoding.UTF8.GetBytes("\0mallory\0secret")).Error);
        Assert.NotNull(server.Evaluate(Encoding.UTF8.GetBytes("bob\0alice\0secret")).Error);
        Assert.NotNull(server.Evaluate(Encoding.UTF8.GetBytes("alice-secret")).Error);
        Assert.NotNull(server.Evaluate([]).Error);
    }

    [Fact]
    public void Sasl_listeners_need_supported_mechanisms_and_users()
    {
        Assert.Throws<ConfigException>(() => new BrokerSecurity(BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0", ["sasl.enabled.mechanisms"] = "GSSAPI",
        })));
        Assert.Throws<ConfigException>(() => new BrokerSecurity(BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0", ["sasl.enabled.mechanisms"] = "PLAIN",
        })));
        var security = new BrokerSecurity(BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0", ["sasl.enabled.mechanisms"] = "PLAIN",
            ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = "org.apache.kafka.common.security.plain.PlainLoginModule required user_a=\"b\";",
        }));
        Assert.Equal(SecurityProtocol.SaslPlaintext, security.For("SASL_PLAINTEXT").Protocol);
        Assert.Empty(security.For("PLAINTEXT").Mechanisms);
    }

    [Fact]
    public void A_tls_listener_without_a_keystore_is_a_config_error() =>
        Assert.Throws<ConfigException>(() => new BrokerSecurity(BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "SSL://127.0.0.1:0", ["ssl.keystore.type"] = "PEM",
        })));
}
