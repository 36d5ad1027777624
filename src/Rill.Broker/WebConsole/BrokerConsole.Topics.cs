using Rill.Broker.Topics;
using Rill.Protocol;

namespace Rill.Broker.WebConsole;

public sealed partial class BrokerConsole
{
    /// <summary>A page of topics, by name; <paramref name="search"/> filters by substring, internal topics only when asked.</summary>
    public ConsolePage<TopicSummary> Topics(int offset, int limit, string? search, bool includeInternal, string? sort)
    {
        IEnumerable<Topic> topics = _broker.Topics.All.Where(t => includeInternal || !TopicName.IsInternal(t.Name));
        if (!string.IsNullOrEmpty(search))
        {
            topics = topics.Where(t => t.Name.Contains(search, StringComparison.OrdinalIgnoreCase));
        }
        List<TopicSummary> all = topics.Select(Summary).ToList();
        all = sort switch
        {
            "size" => all.OrderByDescending(t => t.SizeBytes).ThenBy(t => t.Name, StringComparer.Ordinal).ToList(),
            "throughput" => all.OrderByDescending(t => t.BytesInPerSec).ThenBy(t => t.Name, StringComparer.Ordinal).ToList(),
            "messages" => all.OrderByDescending(t => t.Messages).ThenBy(t => t.Name, StringComparer.Ordinal).ToList(),
            _ => all.OrderBy(t => t.Name, StringComparer.Ordinal).ToList(),
        };
        return Page(all, offset, limit);
    }

    private TopicSummary Summary(Topic t)
    {
        long size = 0, messages = 0;
        foreach (Partition p in t.Partitions)
        {
            size += p.OpenedLog?.SizeInBytes ?? 0;
            messages += Math.Max(0, p.HighWatermark - p.LogStartOffset);
        }
        var (bytesIn, messagesIn) = _live.TopicRates(t.Name);
        return new TopicSummary(t.Name, TopicName.IsInternal(t.Name), t.Partitions.Length, size, messages, bytesIn, messagesIn);
    }

    internal static ConsolePage<T> Page<T>(List<T> all, int offset, int limit)
    {
        offset = Math.Clamp(offset, 0, all.Count);
        limit = Math.Clamp(limit, 1, 500);
        return new ConsolePage<T>(all.Count, offset, limit, all.Skip(offset).Take(limit).ToList());
    }

    private Topic FindTopic(string name) => _broker.Topics.Find(name) ?? throw ConsoleException.NotFound($"Topic '{name}' does not exist.");

    /// <summary>Partitions with offsets, size and leader (this node), and the groups with committed offsets on the topic.</summary>
    public TopicDetail Topic(string name)
    {
        Topic topic = FindTopic(name);
        int node = _broker.Cluster.NodeId;
        var partitions = topic.Partitions.Select(p => new PartitionInfo(p.Index, node, [node], [node], p.LogStartOffset,
            p.HighWatermark, p.OpenedLog?.SizeInBytes ?? 0, p.OpenedLog?.SegmentCount ?? 0)).ToList();
        var groups = new List<TopicGroupLag>();
        foreach (string group in _broker.Groups.GroupIdsWithOffsets())
        {
            long lag = 0;
            bool reads = false;
            foreach (var (t, index, committed) in _broker.Groups.FetchAllOffsets(group))
            {
                if (t == name && topic.GetPartition(index) is { } p)
                {
                    reads = true;
                    lag += Math.Max(0, p.HighWatermark - Math.Max(committed.Offset, 0));
                }
            }
            if (reads)
            {
                groups.Add(new TopicGroupLag(group, lag));
            }
        }
        var (bytesIn, messagesIn) = _live.TopicRates(name);
        return new TopicDetail(topic.Name, topic.Id, TopicName.IsInternal(topic.Name), partitions,
            groups.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList(), bytesIn, messagesIn);
    }

    /// <summary>As CreateTopics: partitions and replication factor default to the broker's (num.partitions, default.replication.factor).</summary>
    public TopicSummary CreateTopic(CreateTopicRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            throw ConsoleException.Bad("A topic needs a name.");
        }
        var configs = (request.Configs ?? []).Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)).ToList();
        TopicCreateResult result = _broker.Topics.Create(request.Name, request.Partitions ?? -1, request.ReplicationFactor ?? -1, configs, validateOnly: false);
        if (result.Error != ErrorCode.None)
        {
            throw Failure(result.Error, result.Message);
        }
        return Summary(FindTopic(request.Name));
    }

    /// <summary>As DeleteTopics: refused for internal topics and when delete.topic.enable is false.</summary>
    public void DeleteTopic(string name)
    {
        Topic topic = FindTopic(name);
        if (!_broker.Config.DeleteTopicEnable)
        {
            throw Failure(ErrorCode.TopicDeletionDisabled, "delete.topic.enable is false on this broker.");
        }
        if (TopicName.IsInternal(topic.Name))
        {
            throw Failure(ErrorCode.InvalidTopicException, $"'{topic.Name}' is an internal topic and cannot be deleted.");
        }
        var (error, message) = _broker.Topics.Delete(topic.Name);
        if (error != ErrorCode.None)
        {
            throw Failure(error, message);
        }
    }

    /// <summary>A Kafka error as a console error: the status says whose fault it is, the error is Kafka's name for it.</summary>
    internal static ConsoleException Failure(ErrorCode error, string? message)
    {
        int status = error switch
        {
            ErrorCode.UnknownTopicOrPartition or ErrorCode.GroupIdNotFound => 404,
            ErrorCode.TopicAlreadyExists or ErrorCode.NonEmptyGroup or ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration
                or ErrorCode.RebalanceInProgress => 409,
            ErrorCode.CoordinatorLoadInProgress => 503,
            _ => 400,
        };
        return new ConsoleException(status, ErrorName(error), message);
    }

    /// <summary>Kafka's constant name: TopicAlreadyExists -> TOPIC_ALREADY_EXISTS.</summary>
    internal static string ErrorName(ErrorCode error)
    {
        string name = error.ToString();
        var sb = new System.Text.StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                sb.Append('_');
            }
            sb.Append(char.ToUpperInvariant(name[i]));
        }
        return sb.ToString();
    }
}
