using Rill.Broker.Config;

namespace Rill.Broker.Tests.Config;

public class CatalogueTests
{
    public static TheoryData<string> BrokerNames() => new(KafkaBrokerConfigs.All.Select(d => d.Name));

    public static TheoryData<string> TopicNames() => new(KafkaTopicConfigs.All.Select(d => d.Name));

    [Theory]
    [MemberData(nameof(BrokerNames))]
    public void EveryBrokerDefaultParsesAsItsOwnType(string name)
    {
        ConfigDef def = KafkaBrokerConfigs.Find(name)!;
        object? kafka = def.Parse(def.Default);
        object? rill = def.Parse(KafkaBrokerConfigs.EffectiveDefault(def));
        if (def.Default is not null)
        {
            Assert.NotNull(kafka);
            AssertType(def.Type, kafka!);
            AssertType(def.Type, rill!);
        }
    }

    [Theory]
    [MemberData(nameof(TopicNames))]
    public void EveryTopicDefaultParsesAsItsOwnType(string name)
    {
        TopicConfigDef t = KafkaTopicConfigs.Find(name)!;
        if (t.Def.Default is not null)
        {
            AssertType(t.Def.Type, t.Def.Parse(t.Def.Default)!);
        }

        if (t.BrokerSynonym is not null)
        {
            ConfigDef broker = KafkaBrokerConfigs.Find(t.BrokerSynonym) ?? throw new Xunit.Sdk.XunitException($"{t.BrokerSynonym} is not a broker config");
            Assert.Equal(t.Def.Type, broker.Type);
        }
    }

    [Fact]
    public void NamesAreUniqueAndLowerCaseDotted()
    {
        Assert.Equal(KafkaBrokerConfigs.All.Count, KafkaBrokerConfigs.All.Select(d => d.Name).Distinct().Count());
        Assert.Equal(KafkaTopicConfigs.All.Count, KafkaTopicConfigs.All.Select(d => d.Name).Distinct().Count());
        Assert.All(KafkaBrokerConfigs.All, d => Assert.Matches("^[a-z0-9]+(\\.[a-z0-9]+)*$", d.Name));
        Assert.True(KafkaBrokerConfigs.All.Count > 250, "the broker catalogue should hold every Kafka 4.0 broker property");
    }

    [Theory]
    [InlineData("node.id")]
    [InlineData("process.roles")]
    [InlineData("controller.quorum.voters")]
    [InlineData("listeners")]
    [InlineData("advertised.listeners")]
    [InlineData("listener.security.protocol.map")]
    [InlineData("log.dirs")]
    [InlineData("log.dir")]
    [InlineData("log.retention.minutes")]
    [InlineData("log.flush.interval.ms")]
    [InlineData("group.initial.rebalance.delay.ms")]
    [InlineData("offsets.topic.replication.factor")]
    [InlineData("transaction.state.log.min.isr")]
    [InlineData("log.cleaner.threads")]
    [InlineData("ssl.keystore.location")]
    [InlineData("sasl.enabled.mechanisms")]
    public void KnowsWellKnownNames(string name)
    {
        Assert.True(BrokerConfig.IsKnown(name));
    }

    private static void AssertType(ConfigType type, object value)
    {
        Type expected = type switch
        {
            ConfigType.Boolean => typeof(bool),
            ConfigType.Short => typeof(short),
            ConfigType.Int => typeof(int),
            ConfigType.Long => typeof(long),
            ConfigType.Double => typeof(double),
            ConfigType.List => typeof(string[]),
            _ => typeof(string),
        };
        if (type == ConfigType.List)
        {
            Assert.IsAssignableFrom<IReadOnlyList<string>>(value);
        }
        else
        {
            Assert.IsType(expected, value);
        }
    }
}
