using Rill.Broker.Config;

namespace Rill.Broker.Tests.Config;

/// <summary>The typed broker settings the broker reads (no setting is read by its name outside BrokerConfig).</summary>
public sealed class BrokerSettingsTests
{
    private static BrokerConfig With(params string[] sets) => BrokerConfig.FromProperties(sets.Select(BrokerConfig.ParseSetArgument));

    [Fact]
    public void Group_offset_and_cleaner_settings_read_their_properties_and_defaults()
    {
        BrokerConfig set = With("group.min.session.timeout.ms=1000", "group.max.session.timeout.ms=2000", "group.initial.rebalance.delay.ms=7",
            "group.max.size=9", "group.consumer.session.timeout.ms=46000", "group.consumer.heartbeat.interval.ms=4000", "group.consumer.max.size=3",
            "group.consumer.assignors=range, ,uniform", "offsets.topic.num.partitions=5", "offsets.topic.segment.bytes=2097152",
            "offset.metadata.max.bytes=100", "offsets.retention.check.interval.ms=1234", "log.retention.check.interval.ms=99",
            "log.cleaner.enable=false", "log.cleaner.threads=2", "log.cleaner.backoff.ms=5", "log.cleaner.dedupe.buffer.size=1048576");
        Assert.Equal((1000, 2000, 7, 9), (set.GroupMinSessionTimeoutMs, set.GroupMaxSessionTimeoutMs, set.GroupInitialRebalanceDelayMs, set.GroupMaxSize));
        Assert.Equal((46000, 4000, 3), (set.GroupConsumerSessionTimeoutMs, set.GroupConsumerHeartbeatIntervalMs, set.GroupConsumerMaxSize));
        Assert.Equal(["range", "uniform"], set.GroupConsumerAssignors);
        Assert.Equal((5, 2097152, 100, 1234L), (set.OffsetsTopicNumPartitions, set.OffsetsTopicSegmentBytes, set.OffsetMetadataMaxBytes, set.OffsetsRetentionCheckIntervalMs));
        Assert.Equal(99, set.LogRetentionCheckIntervalMs);
        Assert.Equal((false, 2, 5L, 1048576L), (set.LogCleanerEnable, set.LogCleanerThreads, set.LogCleanerBackoffMs, set.LogCleanerDedupeBufferSize));

        BrokerConfig d = BrokerConfig.Default;
        Assert.Equal(["uniform", "range"], d.GroupConsumerAssignors);
        Assert.Equal((45000, 5000), (d.GroupConsumerSessionTimeoutMs, d.GroupConsumerHeartbeatIntervalMs));
        Assert.Equal((50, 600_000L, 4096), (d.OffsetsTopicNumPartitions, d.OffsetsRetentionCheckIntervalMs, d.OffsetMetadataMaxBytes));
        Assert.Equal((true, 1, 15_000L, 134_217_728L), (d.LogCleanerEnable, d.LogCleanerThreads, d.LogCleanerBackoffMs, d.LogCleanerDedupeBufferSize));
        Assert.Equal(300_000, d.LogRetentionCheckIntervalMs);
    }
}
