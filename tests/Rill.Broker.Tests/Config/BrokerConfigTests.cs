using Rill.Broker.Config;
using Rill.Storage;

namespace Rill.Broker.Tests.Config;

public class BrokerConfigTests
{
    private static BrokerConfig C(params string[] sets) => BrokerConfig.FromProperties(sets.Select(BrokerConfig.ParseSetArgument));

    [Fact]
    public void Defaults()
    {
        BrokerConfig c = BrokerConfig.Default;
        Assert.Equal(1, c.NodeId);
        ListenerAddress l = Assert.Single(c.Listeners);
        Assert.Equal(new ListenerAddress("PLAINTEXT", "127.0.0.1", 9092), l);
        Assert.Empty(c.AdvertisedListeners);
        Assert.Equal([Path.GetFullPath("rill-data")], c.LogDirs);
        Assert.Equal(1, c.NumPartitions);
        Assert.Equal(1, c.DefaultReplicationFactor);
        Assert.True(c.AutoCreateTopicsEnable);
        Assert.True(c.DeleteTopicEnable);
        Assert.Equal("1048588", c.GetString("message.max.bytes"));
        Assert.Equal(104857600, c.SocketRequestMaxBytes);
        Assert.Equal(168L * 3600 * 1000, c.LogRollMs);
        Assert.Equal(168L * 3600 * 1000, c.LogRetentionMs);
        Assert.Equal(long.MaxValue, c.LogFlushIntervalMs);
        // The topic-config defaults reach storage through the topic config path.
        LogConfig log = TopicConfig.Create(c).ToLogConfig();
        Assert.Equal(1073741824, log.SegmentBytes);
        Assert.Equal(-1, log.RetentionBytes);
        Assert.Equal(long.MaxValue, log.FlushIntervalMessages);
        Assert.Equal(4096, log.IndexIntervalBytes);
        Assert.Equal(10485760, log.SegmentIndexBytes);
        Assert.Equal(TimestampType.CreateTime, log.MessageTimestampType);
        Assert.Equal("producer", c.GetString("compression.type"));
        Assert.Empty(c.NotAppliedProperties);
        Assert.Null(c.NotAppliedMessage());
    }

    [Theory]
    [InlineData(new string[0], 604_800_000L)]
    [InlineData(new[] { "log.retention.hours=1" }, 3_600_000L)]
    [InlineData(new[] { "log.retention.hours=1", "log.retention.minutes=2" }, 120_000L)]
    [InlineData(new[] { "log.retention.hours=1", "log.retention.minutes=2", "log.retention.ms=5" }, 5L)]
    [InlineData(new[] { "log.retention.ms=-1" }, -1L)]
    [InlineData(new[] { "log.retention.ms=-5" }, -1L)]
    [InlineData(new[] { "log.retention.hours=-1" }, -1L)]
    public void RetentionFallbacks(string[] sets, long expected)
    {
        Assert.Equal(expected, C(sets).LogRetentionMs);
    }

    [Fact]
    public void RetentionZeroIsRejected()
    {
        var e = Assert.Throws<ConfigException>(() => C("log.retention.ms=0"));
        Assert.Equal("log.retention.ms", e.PropertyName);
    }

    [Fact]
    public void RollAndFlushFallbacks()
    {
        BrokerConfig c = C("log.roll.hours=2", "log.roll.jitter.hours=1", "log.flush.scheduler.interval.ms=3000");
        Assert.Equal(7_200_000, c.LogRollMs);
        Assert.Equal(3_600_000, c.LogRollJitterMs);
        Assert.Equal(3000, c.LogFlushIntervalMs);
        c = C("log.roll.hours=2", "log.roll.ms=100", "log.flush.interval.ms=10");
        Assert.Equal(100, c.LogRollMs);
        Assert.Equal(10, c.LogFlushIntervalMs);
    }

    [Theory]
    [InlineData("log.retention.msec", "log.retention.ms")]
    [InlineData("num.partition", "num.partitions")]
    [InlineData("listener", "listeners")]
    [InlineData("log.segments.bytes", "log.segment.bytes")]
    [InlineData("auto.create.topic.enable", "auto.create.topics.enable")]
    public void UnknownNameSuggestsClosest(string name, string suggestion)
    {
        var e = Assert.Throws<ConfigException>(() => C(name + "=1"));
        Assert.Equal(name, e.PropertyName);
        Assert.Equal($"Unknown property '{name}' (did you mean '{suggestion}'?)", e.Message);
    }

    [Fact]
    public void UnknownNameWithoutCloseMatch()
    {
        var e = Assert.Throws<ConfigException>(() => C("completely.different.thing.here.x=1"));
        Assert.Equal("Unknown property 'completely.different.thing.here.x'", e.Message);
    }

    [Theory]
    [InlineData("num.partitions=abc", "num.partitions", "abc")]
    [InlineData("num.partitions=0", "num.partitions", "0")]
    [InlineData("message.max.bytes=99999999999", "message.max.bytes", "99999999999")]
    [InlineData("auto.create.topics.enable=yes", "auto.create.topics.enable", "yes")]
    [InlineData("log.segment.bytes=1000", "log.segment.bytes", "1000")]
    [InlineData("log.message.timestamp.type=createtime", "log.message.timestamp.type", "createtime")]
    [InlineData("compression.type=brotli", "compression.type", "brotli")]
    [InlineData("log.cleanup.policy=compact,forever", "log.cleanup.policy", "compact,forever")]
    [InlineData("log.cleaner.min.cleanable.ratio=1.5", "log.cleaner.min.cleanable.ratio", "1.5")]
    [InlineData("compression.gzip.level=0", "compression.gzip.level", "0")]
    public void InvalidValueNamesPropertyValueAndExpectation(string set, string name, string value)
    {
        var e = Assert.Throws<ConfigException>(() => C(set));
        Assert.Equal(name, e.PropertyName);
        Assert.Contains($"'{value}'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("compression.gzip.level=-1")]
    [InlineData("compression.gzip.level=9")]
    [InlineData("auto.create.topics.enable=TRUE")]
    [InlineData("log.cleanup.policy=compact, delete")]
    [InlineData("group.consumer.migration.policy=upgrade")]
    [InlineData("num.partitions= 3 ")]
    public void ValidValues(string set)
    {
        C(set);
    }

    [Fact]
    public void Listeners()
    {
        BrokerConfig c = C("listeners=PLAINTEXT://0.0.0.0:9092,INTERNAL://[::1]:0,OTHER://:19092",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,OTHER:PLAINTEXT",
            "advertised.listeners=PLAINTEXT://kafka.example:9092");
        Assert.Equal(
            [new("PLAINTEXT", "0.0.0.0", 9092), new("INTERNAL", "::1", 0), new ListenerAddress("OTHER", "", 19092)],
            c.Listeners);
        Assert.Equal([new ListenerAddress("PLAINTEXT", "kafka.example", 9092)], c.AdvertisedListeners);
        Assert.Equal("INTERNAL://[::1]:0", c.Listeners[1].ToString());
    }

    [Fact]
    public void ControllerListenersAreNotServed()
    {
        BrokerConfig c = C("process.roles=broker,controller", "controller.listener.names=CONTROLLER",
            "listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093", "controller.quorum.voters=1@127.0.0.1:9093");
        Assert.Equal(["PLAINTEXT"], c.Listeners.Select(l => l.Name));
        Assert.Equal(["controller.listener.names", "controller.quorum.voters", "process.roles"], c.NotAppliedProperties);
        Assert.Equal("Kafka properties accepted but not applied by Rill: controller.listener.names, controller.quorum.voters, process.roles", c.NotAppliedMessage());
    }

    [Theory]
    [InlineData("listeners=127.0.0.1:9092")]
    [InlineData("listeners=PLAINTEXT://127.0.0.1")]
    [InlineData("listeners=PLAINTEXT://127.0.0.1:70000")]
    [InlineData("listeners=PLAINTEXT://::1:9092")]
    [InlineData("listeners=FOO://127.0.0.1:9092")]
    [InlineData("listeners=PLAINTEXT://a:1,PLAINTEXT://b:2")]
    [InlineData("listeners=")]
    [InlineData("advertised.listeners=OTHER://x:1")]
    [InlineData("advertised.listeners=PLAINTEXT://0.0.0.0:1")]
    [InlineData("listener.security.protocol.map=PLAINTEXT:TLS")]
    public void BadListenersFailFast(string set)
    {
        var e = Assert.Throws<ConfigException>(() => C(set));
        Assert.Contains("listener", e.PropertyName, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeIdAndBrokerId()
    {
        Assert.Equal(7, C("node.id=7").NodeId);
        Assert.Equal(3, C("broker.id=3").NodeId);
        Assert.Equal(4, C("broker.id=4", "node.id=4").NodeId);
        Assert.Throws<ConfigException>(() => C("broker.id=4", "node.id=5"));
        Assert.Throws<ConfigException>(() => C("node.id=-1"));
    }

    [Fact]
    public void LogDirs()
    {
        Assert.Throws<ConfigException>(() => C("log.dirs=/a, /b"));
        Assert.Equal(["/c"], C("log.dir=/c").LogDirs);
        Assert.Equal(["/a"], C("log.dir=/c", "log.dirs=/a").LogDirs);
        Assert.Throws<ConfigException>(() => C("log.dirs= "));
    }

    [Fact]
    public void NotAppliedListsOnlyExplicitUnappliedNames()
    {
        BrokerConfig c = C("num.network.threads=8", "num.partitions=3", "zookeeper.connect=localhost:2181", "listener.name.plaintext.foo=1");
        Assert.Equal(["listener.name.plaintext.foo", "num.network.threads", "zookeeper.connect"], c.NotAppliedProperties);
    }

    [Fact]
    public void SetArgumentSplitsAtFirstEquals()
    {
        Assert.Equal(new KeyValuePair<string, string>("sasl.jaas.config", "a=b c=d"), BrokerConfig.ParseSetArgument("sasl.jaas.config=a=b c=d"));
        Assert.Throws<ConfigException>(() => BrokerConfig.ParseSetArgument("novalue"));
        Assert.Throws<ConfigException>(() => BrokerConfig.ParseSetArgument("=x"));
    }

    [Fact]
    public void LoadFileThenOverrides()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rill-test-{Guid.NewGuid():N}.properties");
        File.WriteAllText(path, "# sample\nnum.partitions=3\nlog.dirs=/var/x\nlisteners=PLAINTEXT://127.0.0.1:19092\n");
        try
        {
            BrokerConfig c = BrokerConfig.Load(path, [new("num.partitions", "4")]);
            Assert.Equal(4, c.NumPartitions);
            Assert.Equal(["/var/x"], c.LogDirs);
            Assert.Equal(19092, c.Listeners[0].Port);
        }
        finally
        {
            File.Delete(path);
        }

        var missing = Assert.Throws<ConfigException>(() => BrokerConfig.Load(path, []));
        Assert.Contains(path, missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntriesHideSensitiveValues()
    {
        BrokerConfig c = C("ssl.keystore.password=secret", "num.partitions=2");
        BrokerConfigEntry pw = c.Entries().Single(e => e.Name == "ssl.keystore.password");
        Assert.Null(pw.Value);
        Assert.True(pw.IsSensitive);
        BrokerConfigEntry np = c.Entries().Single(e => e.Name == "num.partitions");
        Assert.Equal("2", np.Value);
        Assert.False(np.IsDefault);
        Assert.DoesNotContain(c.Entries(), e => e.Name == "zookeeper.connect");
    }

    [Fact]
    public void Drop_behind_is_automatic_by_default_and_takes_zero_or_a_size()
    {
        Assert.Equal(-1, BrokerConfig.Default.LogDropBehindBytes);
        Assert.Equal(0, C("rill.log.drop.behind.bytes=0").LogDropBehindBytes);
        Assert.Equal(8L << 30, C("rill.log.drop.behind.bytes=8589934592").LogDropBehindBytes);
        Assert.ThrowsAny<Exception>(() => C("rill.log.drop.behind.bytes=-2"));
    }
}
