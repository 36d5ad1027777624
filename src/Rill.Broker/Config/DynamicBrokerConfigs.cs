namespace Rill.Broker.Config;

/// <summary>
/// Which broker properties may change at run time (the catalogue's Dynamic flag) and Kafka's synonym groups
/// between broker properties.
/// </summary>
internal static class DynamicBrokerConfigs
{
    /// <summary>True if <paramref name="name"/> can be changed without a restart.</summary>
    public static bool IsDynamic(string name) => KafkaBrokerConfigs.Find(name) is { Dynamic: true };

    /// <summary>
    /// Kafka's synonym groups: properties that set the same thing, most specific first. A topic
    /// config's broker synonyms are its whole group; a broker property's are its group from itself on.
    /// </summary>
    private static readonly string[][] Groups =
    [
        ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
        ["log.roll.ms", "log.roll.hours"],
        ["log.roll.jitter.ms", "log.roll.jitter.hours"],
        ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
    ];

    /// <summary>The names that supply <paramref name="brokerName"/>'s value, itself first, then less specific ones.</summary>
    public static IReadOnlyList<string> SynonymsFrom(string brokerName)
    {
        foreach (string[] group in Groups)
        {
            int at = Array.IndexOf(group, brokerName);
            if (at >= 0)
            {
                return group[at..];
            }
        }
        return [brokerName];
    }
}
