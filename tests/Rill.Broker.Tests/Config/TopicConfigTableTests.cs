using Rill.Broker.Config;
using Rill.Broker.Topics;
using Rill.Storage;

namespace Rill.Broker.Tests.Config;

/// <summary>The one typed path from topic configs to <see cref="LogConfig"/>: the catalogue says which field each config feeds.</summary>
public sealed class TopicConfigTableTests
{
    /// <summary>A value of each storage config other than its default, as a topic override, and the field it must reach.</summary>
    public static TheoryData<string, string, Func<LogConfig, object>, object> Fields => new()
    {
        { "segment.bytes", "2097152", c => c.SegmentBytes, 2097152 },
        { "segment.ms", "1234", c => c.SegmentMs, 1234L },
        { "index.interval.bytes", "100", c => c.IndexIntervalBytes, 100 },
        { "segment.index.bytes", "4096", c => c.SegmentIndexBytes, 4096 },
        { "flush.messages", "7", c => c.FlushIntervalMessages, 7L },
        { "flush.ms", "8", c => c.FlushIntervalMs, 8L },
        { "max.message.bytes", "999", c => c.MaxMessageBytes, 999 },
        { "message.timestamp.type", "LogAppendTime", c => c.MessageTimestampType, TimestampType.LogAppendTime },
        { "retention.ms", "-1", c => c.RetentionMs, -1L },
        { "retention.bytes", "5000", c => c.RetentionBytes, 5000L },
        { "delete.retention.ms", "9", c => c.DeleteRetentionMs, 9L },
        { "file.delete.delay.ms", "0", c => c.FileDeleteDelayMs, 0L },
        { "min.cleanable.dirty.ratio", "0.25", c => c.MinCleanableDirtyRatio, 0.25 },
        { "min.compaction.lag.ms", "11", c => c.MinCompactionLagMs, 11L },
        { "max.compaction.lag.ms", "12", c => c.MaxCompactionLagMs, 12L },
        { "preallocate", "true", c => c.Preallocate, true },
        { "cleanup.policy", "compact", c => (c.Compact, c.DeleteRetention), (true, false) },
        { "cleanup.policy", "delete, compact", c => (c.Compact, c.DeleteRetention), (true, true) },
        { "cleanup.policy", "", c => (c.Compact, c.DeleteRetention), (false, false) },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void A_topic_override_reaches_its_log_config_field(string name, string value, Func<LogConfig, object> field, object expected)
    {
        var overrides = new Dictionary<string, string> { [name] = value };
        Assert.NotEqual(expected, field(TopicConfig.Create(BrokerConfig.Default).ToLogConfig()));
        Assert.Equal(expected, field(TopicConfig.Create(BrokerConfig.Default, overrides).ToLogConfig()));
        Assert.Equal(expected, field(TopicSettings.Resolve(overrides, BrokerConfig.Default, out string? error).Log));
        Assert.Null(error);
    }

    [Fact]
    public void Every_applied_storage_setting_has_a_feeding_entry_and_defaults_match_storage()
    {
        // Kafka's defaults in the catalogue and LogConfig's own defaults agree, so a LogConfig built from the
        // catalogue with no overrides equals LogConfig.Default.
        Assert.Equal(LogConfig.Default, TopicConfig.Create(BrokerConfig.Default).ToLogConfig());
        var feeding = KafkaTopicConfigs.All.Where(t => t.FeedsLog is not null).Select(t => t.Name).ToHashSet();
        Assert.Equal(17, feeding.Count);
        Assert.All(feeding, n => Assert.True(KafkaTopicConfigs.Find(n)!.Def.Applied, n));
        Assert.All(KafkaTopicConfigs.All, t => Assert.True(t.Def.Dynamic, t.Name));
    }

    [Fact]
    public void Every_LogConfig_setting_is_fed_by_some_topic_config()
    {
        // Non-default values for every feeding config at once: each LogConfig property must move off its default,
        // so a LogConfig property added without a catalogue line feeding it fails here.
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (object[] row in Fields)
        {
            overrides[(string)row[0]] = (string)row[1];
        }
        overrides["cleanup.policy"] = "compact"; // flips both Compact and DeleteRetention
        LogConfig fed = TopicConfig.Create(BrokerConfig.Default, overrides).ToLogConfig();
        var properties = typeof(LogConfig).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.SetMethod is not null);
        Assert.All(properties, p => Assert.True(!Equals(p.GetValue(fed), p.GetValue(LogConfig.Default)), $"LogConfig.{p.Name} is fed by no topic config"));
    }

    [Fact]
    public void Invalid_overrides_give_the_message_and_the_broker_defaults()
    {
        BrokerConfig broker = BrokerConfig.FromProperties([new("log.retention.ms", "5000")]);
        TopicSettings settings = TopicSettings.Resolve(new Dictionary<string, string> { ["retention.ms"] = "soon" }, broker, out string? error);
        Assert.Contains("'retention.ms'", error, StringComparison.Ordinal);
        Assert.Equal(5000, settings.Log.RetentionMs);
    }

    [Fact]
    public void Difference_max_ms_still_bounds_a_side_whose_own_config_is_not_set()
    {
        TopicSettings s = TopicSettings.Resolve(new Dictionary<string, string>
        {
            ["message.timestamp.difference.max.ms"] = "1000",
            ["message.timestamp.after.max.ms"] = "2000",
        }, BrokerConfig.Default, out _);
        Assert.Equal((1000L, 2000L), (s.TimestampBeforeMaxMs, s.TimestampAfterMaxMs));
        TopicSettings none = TopicSettings.Resolve(new Dictionary<string, string>(), BrokerConfig.Default, out _);
        Assert.Equal((long.MaxValue, 3_600_000L), (none.TimestampBeforeMaxMs, none.TimestampAfterMaxMs));
        Assert.Equal(1, none.MinInsyncReplicas);
        Assert.Equal(3, TopicSettings.Resolve(new Dictionary<string, string> { ["min.insync.replicas"] = "3" }, BrokerConfig.Default, out _).MinInsyncReplicas);
    }
}
