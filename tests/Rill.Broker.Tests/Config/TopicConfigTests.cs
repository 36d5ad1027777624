using Rill.Broker.Config;
using Rill.Protocol;
using Rill.Storage;

namespace Rill.Broker.Tests.Config;

public class TopicConfigTests
{
    private static TopicConfigValidation V(params (string, string?)[] overrides) =>
        TopicConfig.Validate(overrides.Select(o => new KeyValuePair<string, string?>(o.Item1, o.Item2)));

    [Fact]
    public void UnknownNameIsInvalidConfigWithSuggestion()
    {
        TopicConfigValidation v = V(("retention.msec", "1"));
        Assert.Equal(ErrorCode.InvalidConfig, v.Error);
        Assert.Equal("Unknown topic config 'retention.msec' (did you mean 'retention.ms'?)", v.Message);
    }

    [Fact]
    public void BrokerNameIsNotATopicName()
    {
        TopicConfigValidation v = V(("log.retention.ms", "1"));
        Assert.Equal(ErrorCode.InvalidConfig, v.Error);
        Assert.Contains("log.retention.ms", v.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("retention.ms", "abc")]
    [InlineData("retention.ms", "-2")]
    [InlineData("segment.bytes", "100")]
    [InlineData("cleanup.policy", "archive")]
    [InlineData("min.cleanable.dirty.ratio", "2")]
    [InlineData("message.timestamp.type", "Now")]
    [InlineData("max.message.bytes", "-1")]
    [InlineData("preallocate", "maybe")]
    [InlineData("segment.ms", "0")]
    public void BadValueIsInvalidConfigNamingTheConfig(string name, string value)
    {
        TopicConfigValidation v = V((name, value));
        Assert.Equal(ErrorCode.InvalidConfig, v.Error);
        Assert.Contains($"'{name}'", v.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", v.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullValueIsInvalid()
    {
        TopicConfigValidation v = V(("retention.ms", null));
        Assert.Equal(ErrorCode.InvalidConfig, v.Error);
        Assert.Contains("retention.ms", v.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidOverrides()
    {
        Assert.True(V(("cleanup.policy", "compact,delete"), ("retention.ms", "-1"), ("message.downconversion.enable", "false")).IsValid);
    }

    [Fact]
    public void EffectiveValuesComeFromBrokerDefaults()
    {
        BrokerConfig broker = BrokerConfig.FromProperties(new[] {"log.retention.hours=2", "log.segment.bytes=2097152", "log.roll.hours=1",
            "message.max.bytes=5000", "log.cleanup.policy=compact", "log.message.timestamp.type=LogAppendTime", "log.flush.interval.messages=1" }.Select(BrokerConfig.ParseSetArgument));
        TopicConfig t = TopicConfig.Create(broker);
        Assert.Equal(7_200_000, t.RetentionMs);
        Assert.Equal(2097152, t.SegmentBytes);
        Assert.Equal(3_600_000, t.SegmentMs);
        Assert.Equal(5000, t.MaxMessageBytes);
        Assert.True(t.Compact);
        Assert.False(t.Delete);
        Assert.Equal(TimestampType.LogAppendTime, t.MessageTimestampType);
        Assert.Equal(1, t.FlushMessages);
        Assert.Equal(long.MaxValue, t.FlushMs);
        Assert.Equal(-1, t.RetentionBytes);
        Assert.Equal(10485760, t.SegmentIndexBytes);

        TopicConfigEntry retention = t.Describe().Single(e => e.Name == "retention.ms");
        Assert.Equal(TopicConfigSource.StaticBroker, retention.Source);
        Assert.Equal("7200000", retention.Value);
        Assert.Equal(TopicConfigSource.Default, t.Describe().Single(e => e.Name == "retention.bytes").Source);
    }

    [Fact]
    public void OverridesWin()
    {
        TopicConfig t = TopicConfig.Create(BrokerConfig.Default, new Dictionary<string, string> { ["retention.ms"] = "1000", ["cleanup.policy"] = "compact" });
        Assert.Equal(1000, t.RetentionMs);
        Assert.True(t.Compact);
        Assert.Equal(TopicConfigSource.TopicOverride, t.Describe().Single(e => e.Name == "retention.ms").Source);
        Assert.Equal(604_800_000, TopicConfig.Create(BrokerConfig.Default).RetentionMs);
    }

    [Fact]
    public void TryCreateReportsInvalid()
    {
        TopicConfigValidation v = TopicConfig.TryCreate(BrokerConfig.Default, new Dictionary<string, string> { ["segment.bytes"] = "x" }, out TopicConfig? t);
        Assert.Null(t);
        Assert.Equal(ErrorCode.InvalidConfig, v.Error);
    }
}
