using Microsoft.Extensions.Logging;
using Rill.Storage;

namespace Rill.Broker.Topics;

internal sealed partial class TopicManager
{
    /// <summary>
    /// Persists the topic list with <paramref name="topic"/>'s new partitions <paramref name="from"/> to
    /// <paramref name="count"/> - 1. When the write fails (disk full, no descriptor left, ...) their logs are removed
    /// again and the reason is returned, so the request answers KAFKA_STORAGE_ERROR and leaves no partial topic.
    /// </summary>
    private string? SaveOrRollBack(IEnumerable<Topic> topics, Topic topic, int from, int count)
    {
        try
        {
            _store!.Save(topics.Select(t => t.ToRecord()));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            RemoveLogsOfFailedCreation(topic, from, count);
            _log.LogWarning(e, "Writing the topic list for {Topic} failed; its {Count} new partitions were not created", topic.Name, count - from);
            return $"Writing the topic list failed, so the {count - from} partitions of '{topic.Name}' were not created: {e.Message}";
        }
    }

    /// <summary>
    /// Removes the logs of partitions <paramref name="from"/> to <paramref name="to"/> - 1 of a topic whose creation
    /// failed, in one pass (<see cref="LogManager.DeleteLogs"/>). A failure to remove is logged, not thrown: the
    /// creation's own error is what the request answers.
    /// </summary>
    private void RemoveLogsOfFailedCreation(Topic topic, int from, int to)
    {
        try
        {
            _ = _logs!.DeleteLogs(Enumerable.Range(from, to - from).Select(i => new TopicPartition(topic.Name, i)));
        }
        catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning(cleanup, "Could not remove every partition of {Topic} after a failed creation", topic.Name);
        }
    }
}
