using Rill.Broker.Config;

namespace Rill.Broker.Tests.Config;

public class BrokerConfigTests
{
    private static BrokerConfig From(params (string, string)[] pairs)
        => BrokerConfig.FromProperties(pairs.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2)));

    [Fact]
    public void Unknown_property_names_the_closest_known_one()
    {
        var e = Assert.Throws<ConfigException>(() => From(("log.retention.msec", "1000")));
        Assert.Contains("'log.retention.msec'", e.Message);
        Assert.Contains("did you mean 'log.retention.ms'", e.Message);
    }

    [Theory]
    [InlineData("num.partitions", "many", "expected a 32-bit integer")]
    [InlineData("num.partitions", "0", "must be at least 1")]
    [InlineData("auto.create.topics.enable", "yes", "expected true or false")]
    [InlineData("log.message.timestamp.type", "WallClock", "CreateTime")]
    [InlineData("listeners", "127.0.0.1:9092", "NAME://host:port")]
    public void Invalid_values_name_the_property_and_what_is_expected(string name, string value, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => From((name, value)));
        Assert.Contains(name, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Every_catalogue_default_is_valid_for_its_own_type()
    {
        foreach (ConfigDef def in BrokerConfigCatalog.All.Values.Where(d => d.Default is not null))
        {
            Assert.True(def.Validate(def.Default!) is null, $"{def.Name} default '{def.Default}' fails: {def.Validate(def.Default!)}");
        }
    }

    [Fact]
    public void Retention_and_roll_fall_back_as_kafka_resolves_them()
    {
        Assert.Equal(168L * 3_600_000, From().LogRetentionMs);
        Assert.Equal(2L * 3_600_000, From(("log.retention.hours", "2")).LogRetentionMs);
        Assert.Equal(5L * 60_000, From(("log.retention.hours", "2"), ("log.retention.minutes", "5")).LogRetentionMs);
        Assert.Equal(1234L, From(("log.retention.minutes", "5"), ("log.retention.ms", "1234")).LogRetentionMs);
        Assert.Equal(3_600_000L, From(("log.roll.hours", "1")).LogRollMs);
    }

    [Fact]
    public void Known_but_unapplied_properties_are_reported()
    {
        var config = From(("num.network.threads", "8"), ("num.partitions", "3"));
        Assert.Equal(["num.network.threads"], config.NotAppliedProperties);
        Assert.Equal(3, config.NumPartitions);
    }

    [Fact]
    public void Java_properties_format_is_parsed_like_java_util_properties()
    {
        const string text = "# comment\n! also a comment\n  num.partitions = 4\nlog.dirs:/tmp/a\\\n  ,/tmp/b\nauto.create.topics.enable false\nkey\\=with\\:escapes=va\\u0041lue\n\n";
        var pairs = JavaProperties.Parse(text);
        Assert.Equal(
            [new("num.partitions", "4"), new("log.dirs", "/tmp/a,/tmp/b"), new("auto.create.topics.enable", "false"), new("key=with:escapes", "vaAlue")],
            pairs);
    }

    [Fact]
    public void Server_properties_file_and_overrides_combine_with_overrides_winning()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "num.partitions=2\nnode.id=7\n");
            var config = BrokerConfig.Load(file, [new("num.partitions", "5")]);
            Assert.Equal(5, config.NumPartitions);
            Assert.Equal(7, config.NodeId);
        }
        finally
        {
            File.Delete(file);
        }
        Assert.Throws<ConfigException>(() => BrokerConfig.Load("/no/such/server.properties", []));
    }
}
