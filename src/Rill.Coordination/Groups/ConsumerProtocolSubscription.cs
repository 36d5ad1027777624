namespace Rill.Coordination.Groups;

/// <summary>
/// Reads the topic list of the consumer protocol's Subscription (the JoinGroup metadata of
/// protocol type "consumer"): version int16, then an array of topic strings, then fields this
/// reader does not need (user data, owned partitions, generation, rack).
/// </summary>
public static class ConsumerProtocolSubscription
{
    public static bool TryReadTopics(ReadOnlySpan<byte> metadata, ISet<string> into)
    {
        var reader = new RecordFieldReader(metadata);
        if (!reader.TryReadInt16(out short version) || version < 0 || !reader.TryReadInt32(out int count) || count < 0 || count > reader.Remaining)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            if (!reader.TryReadString(out string topic))
            {
                return false;
            }
            into.Add(topic);
        }
        return true;
    }
}
