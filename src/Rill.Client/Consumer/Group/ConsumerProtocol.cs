using Rill.Protocol;
using Rill.Protocol.Data;

namespace Rill.Client.Consuming;

/// <summary>A member's subscription as carried in JoinGroup metadata (ConsumerProtocolSubscription v0-v3).</summary>
internal sealed record Subscription(IReadOnlyList<string> Topics, IReadOnlyList<TopicPartition> OwnedPartitions, int GenerationId = -1);

/// <summary>
/// The "consumer" protocol type's payloads: subscriptions in JoinGroup and assignments in
/// SyncGroup, through the generated <see cref="ConsumerProtocolSubscription"/> and
/// <see cref="ConsumerProtocolAssignment"/> (Kafka's encoding with a leading int16 version).
/// Readers take a newer version as the newest they know and accept a subscription that stops
/// after the version-0 fields (kafkajs writes version 1 without owned partitions).
/// </summary>
internal static class ConsumerProtocol
{
    public static byte[] EncodeSubscription(Subscription subscription, short version) => new ConsumerProtocolSubscription
    {
        Topics = subscription.Topics.ToList(),
        OwnedPartitions = ByTopic(subscription.OwnedPartitions),
        GenerationId = subscription.GenerationId,
    }.ToVersionedBytes(version);

    public static Subscription DecodeSubscription(ReadOnlyMemory<byte> bytes)
    {
        ConsumerProtocolSubscription read;
        try
        {
            read = ConsumerProtocolSubscription.FromVersionedBytes(bytes, out _);
        }
        catch (ProtocolException)
        {
            var reader = new ProtocolReader(bytes);
            reader.ReadInt16();
            read = new ConsumerProtocolSubscription();
            read.Read(ref reader, 0);
        }
        return new Subscription(read.Topics, Flatten(read.OwnedPartitions), read.GenerationId);
    }

    public static byte[] EncodeAssignment(IReadOnlyCollection<TopicPartition> partitions)
        => new ConsumerProtocolAssignment
        {
            AssignedPartitions = ByTopic(partitions).Select(t => new ConsumerProtocolAssignment.TopicPartition { Topic = t.Topic, Partitions = t.Partitions }).ToList(),
        }.ToVersionedBytes(0);

    public static List<TopicPartition> DecodeAssignment(ReadOnlyMemory<byte> bytes)
        => bytes.Length < 2 ? []
            : ConsumerProtocolAssignment.FromVersionedBytes(bytes, out _).AssignedPartitions
                .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p))).ToList();

    /// <summary>Topics in first-seen order, each with its partitions ascending.</summary>
    private static List<ConsumerProtocolSubscription.TopicPartition> ByTopic(IEnumerable<TopicPartition> partitions)
        => partitions.GroupBy(p => p.Topic).Select(g => new ConsumerProtocolSubscription.TopicPartition
        {
            Topic = g.Key,
            Partitions = g.Select(p => p.Partition).Order().ToList(),
        }).ToList();

    private static List<TopicPartition> Flatten(IEnumerable<ConsumerProtocolSubscription.TopicPartition> topics)
        => topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p))).ToList();
}
