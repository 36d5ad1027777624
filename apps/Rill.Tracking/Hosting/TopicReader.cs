using Rill.Client;

namespace Rill.Tracking.Hosting;

/// <summary>Helpers for consumers that read a whole topic without a group.</summary>
public static class TopicReader
{
    /// <summary>Assigns every partition from the earliest offset; returns each partition's end offset at this moment.</summary>
    public static async Task<Dictionary<TopicPartition, long>> AssignAllFromStartAsync<TKey, TValue>(Consumer<TKey, TValue> consumer, KafkaRuntime kafka,
        string topic, CancellationToken cancellationToken)
    {
        await using var admin = new AdminClient(kafka.AdminConfig("rill-tracking-reader"));
        var described = await admin.DescribeTopicsAsync([topic], cancellationToken).ConfigureAwait(false);
        var partitions = described[0].Partitions.Select(p => new TopicPartition(topic, p.Partition)).ToList();
        var ends = await admin.ListOffsetsAsync(partitions.Select(p => (p, Offsets.Latest)), cancellationToken).ConfigureAwait(false);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p.Topic, p.Partition, Offsets.Earliest)));
        return ends;
    }

    /// <summary>True when the consumer's position is at or past each end offset.</summary>
    public static bool Reached<TKey, TValue>(Consumer<TKey, TValue> consumer, Dictionary<TopicPartition, long> ends)
    {
        foreach (var (partition, end) in ends)
        {
            if (end <= 0)
            {
                continue;
            }
            long position = consumer.Position(partition);
            if (position < end)
            {
                return false;
            }
        }
        return true;
    }
}
