using Rill.Protocol;

namespace Rill.Client.Consuming;

/// <summary>A member's subscription as carried in JoinGroup metadata (ConsumerProtocolSubscription v0-v3).</summary>
internal sealed record Subscription(IReadOnlyList<string> Topics, IReadOnlyList<TopicPartition> OwnedPartitions, int GenerationId = -1);

/// <summary>
/// The "consumer" protocol type's payloads: subscriptions in JoinGroup and assignments in
/// SyncGroup, in Kafka's classic (non-flexible) encoding with a leading int16 version. Readers
/// accept any version and ignore fields added after the ones they know.
/// </summary>
internal static class ConsumerProtocol
{
    public static byte[] EncodeSubscription(Subscription subscription, short version)
    {
        int size = 2 + 4 + subscription.Topics.Sum(t => ProtocolSizes.NullableString(t, false)) + 4;
        var owned = subscription.OwnedPartitions.GroupBy(p => p.Topic).ToList();
        if (version >= 1)
        {
            size += 4 + owned.Sum(g => ProtocolSizes.NullableString(g.Key, false) + 4 + 4 * g.Count());
        }
        if (version >= 2)
        {
            size += 4;
        }
        byte[] bytes = new byte[size];
        var writer = new ProtocolWriter(bytes);
        writer.WriteInt16(version);
        writer.WriteArrayLength(subscription.Topics.Count, false);
        foreach (string topic in subscription.Topics)
        {
            writer.WriteString(topic, false);
        }
        writer.WriteInt32(-1); // user data: null
        if (version >= 1)
        {
            WritePartitions(ref writer, owned);
        }
        if (version >= 2)
        {
            writer.WriteInt32(subscription.GenerationId);
        }
        return bytes;
    }

    public static Subscription DecodeSubscription(ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtocolReader(bytes);
        short version = reader.ReadInt16();
        int count = reader.ReadArrayLength(false);
        var topics = new List<string>(Math.Max(0, count));
        for (int i = 0; i < count; i++)
        {
            topics.Add(reader.ReadString(false));
        }
        reader.ReadNullableBytes(false);
        var owned = new List<TopicPartition>();
        int generation = -1;
        if (version >= 1 && reader.Remaining > 0)
        {
            ReadPartitions(ref reader, owned);
        }
        if (version >= 2 && reader.Remaining >= 4)
        {
            generation = reader.ReadInt32();
        }
        return new Subscription(topics, owned, generation);
    }

    public static byte[] EncodeAssignment(IReadOnlyCollection<TopicPartition> partitions)
    {
        var groups = partitions.GroupBy(p => p.Topic).ToList();
        int size = 2 + 4 + groups.Sum(g => ProtocolSizes.NullableString(g.Key, false) + 4 + 4 * g.Count()) + 4;
        byte[] bytes = new byte[size];
        var writer = new ProtocolWriter(bytes);
        writer.WriteInt16(0);
        WritePartitions(ref writer, groups);
        writer.WriteInt32(-1);
        return bytes;
    }

    public static List<TopicPartition> DecodeAssignment(ReadOnlyMemory<byte> bytes)
    {
        var result = new List<TopicPartition>();
        if (bytes.Length < 2)
        {
            return result;
        }
        var reader = new ProtocolReader(bytes);
        reader.ReadInt16();
        ReadPartitions(ref reader, result);
        return result;
    }

    private static void WritePartitions(ref ProtocolWriter writer, List<IGrouping<string, TopicPartition>> groups)
    {
        writer.WriteArrayLength(groups.Count, false);
        foreach (var group in groups)
        {
            writer.WriteString(group.Key, false);
            writer.WriteArrayLength(group.Count(), false);
            foreach (var p in group.OrderBy(p => p.Partition))
            {
                writer.WriteInt32(p.Partition);
            }
        }
    }

    private static void ReadPartitions(ref ProtocolReader reader, List<TopicPartition> into)
    {
        int topics = reader.ReadArrayLength(false);
        for (int i = 0; i < topics; i++)
        {
            string topic = reader.ReadString(false);
            int partitions = reader.ReadArrayLength(false);
            for (int j = 0; j < partitions; j++)
            {
                into.Add(new TopicPartition(topic, reader.ReadInt32()));
            }
        }
    }
}
