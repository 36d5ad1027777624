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
        LogConfig log = t.ToLogConfig();
        Assert.Equal(7_200_000, log.RetentionMs);
        Assert.Equal(2097152, log.SegmentBytes);
        Assert.Equal(3_600_000, log.SegmentMs);
        Assert.Equal(5000, log.MaxMessageBytes);
        Assert.True(log.Compact);
        Assert.False(log.DeleteRetention);
        Assert.Equal(TimestampType.LogAppendTime, log.MessageTimestampType);
        Assert.Equal(1, log.FlushIntervalMessages);
        Assert.Equal(long.MaxValue, log.FlushIntervalMs);
        Assert.Equal(-1, log.RetentionBytes);
        Assert.Equal(10485760, log.SegmentIndexBytes);

        Assert.Equal(ConfigSource.StaticBrokerConfig, t.SourceOf("retention.ms"));
        Assert.Equal(7_200_000L, t.Get("retention.ms"));
        Assert.Equal(ConfigSource.DefaultConfig, t.SourceOf("retention.bytes"));
    }

    [Fact]
    public void PreallocateComesFromLogPreallocateAndTheTopicOverride()
    {
        Assert.False(TopicConfig.Create(BrokerConfig.Default).ToLogConfig().Preallocate);
        BrokerConfig broker = BrokerConfig.FromProperties(new[] { "log.preallocate=true" }.Select(BrokerConfig.ParseSetArgument));
        Assert.True(TopicConfig.Create(broker).ToLogConfig().Preallocate);
        Assert.False(TopicConfig.Create(broker, new Dictionary<string, string> { ["preallocate"] = "false" }).ToLogConfig().Preallocate);
        Assert.True(TopicConfig.Create(BrokerConfig.Default, new Dictionary<string, string> { ["preallocate"] = "true" }).ToLogConfig().Preallocate);
    }

    [Fact]
    public void OverridesWin()
    {
        TopicConfig t = TopicConfig.Create(BrokerConfig.Default, new Dictionary<string, string> { ["retention.ms"] = "1000", ["cleanup.policy"] = "compact" });
        Assert.Equal(1000, t.ToLogConfig().RetentionMs);
        Assert.True(t.ToLogConfig().Compact);
        Assert.Equal(ConfigSource.DynamicTopicConfig, t.SourceOf("retention.ms"));
        Assert.Equal(604_800_000, TopicConfig.Create(BrokerConfig.Default).ToLogConfig().RetentionMs);
    }

    [Fact]
    public void TryCreateReportsInvalid()
    {
        TopicConfigValidation v = TopicConfig.TryCreate(BrokerConfig.Default, new Dictionary<string, string> { ["segment.bytes"] = "x" }, out TopicConfig? t);
        Assert.Null(t);
        Assert.Equal(ErrorCode.InvalidConfig, v.Error);
    }
}
