using System.Threading.Channels;
using Rill.Protocol;

namespace Rill.Coordination.Groups;

public sealed partial class GroupCoordinator
{
    private ITimer? _expiryTimer;

    /// <summary>
    /// Runs <see cref="ExpireOffsetsAsync"/> every offsets.retention.check.interval.ms with
    /// offsets.retention.minutes as the retention.
    /// </summary>
    public void StartOffsetExpiry(TimeSpan checkInterval, TimeSpan retention)
    {
        _expiryTimer?.Dispose();
        _expiryTimer = _time.CreateTimer(_ => _ = ExpireOffsetsAsync(retention), null, checkInterval, checkInterval);
    }

    /// <summary>
    /// Expires committed offsets as Kafka does (KIP-211): all offsets of a group that has been
    /// Empty for the retention period; offsets of topics no member subscribes to once their
    /// commit is older than the retention; offsets committed without a group protocol by their
    /// commit time. An Empty group left without offsets is removed (tombstones are written).
    /// Returns how many offsets expired.
    /// </summary>
    public async Task<int> ExpireOffsetsAsync(TimeSpan retention)
    {
        if (_loading)
        {
            return 0;
        }
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long retentionMs = (long)retention.TotalMilliseconds;
        int expired = 0;
        var groupIds = _groups.Keys.Concat(_offsets.GroupIds()).Distinct(StringComparer.Ordinal).ToList();
        foreach (string groupId in groupIds)
        {
            var entry = GetOrCreate(groupId);
            try
            {
                expired += await entry.Executor.Invoke(() => ExpireGroup(groupId, entry, now, retentionMs)).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                // deleted meanwhile
            }
        }
        return expired;
    }

    private int ExpireGroup(string groupId, GroupEntry entry, long now, long retentionMs)
    {
        ClassicGroup group = entry.Classic;
        var offsets = _offsets.All(groupId);
        var expiring = new List<(string Topic, int Partition)>();
        bool empty;
        if (entry.Consumer is { } consumer)
        {
            empty = consumer.MemberCount == 0;
            IReadOnlySet<string> subscribed = consumer.SubscribedTopicNames();
            expiring.AddRange(empty
                ? offsets.Where(_ => now - consumer.StateTimestampMs >= retentionMs).Select(o => (o.Topic, o.Partition))
                : offsets.Where(o => !subscribed.Contains(o.Topic) && now - o.Offset.CommitTimestamp >= retentionMs).Select(o => (o.Topic, o.Partition)));
        }
        else if (group.State == GroupState.Empty && group.ProtocolType is not null)
        {
            if (now - group.StateTimestampMs >= retentionMs)
            {
                expiring.AddRange(offsets.Select(o => (o.Topic, o.Partition)));
            }
        }
        else if (group.ProtocolType is null)
        {
            expiring.AddRange(offsets.Where(o => now - o.Offset.CommitTimestamp >= retentionMs).Select(o => (o.Topic, o.Partition)));
        }
        else if (group.SubscribedTopics() is { } subscribed)
        {
            expiring.AddRange(offsets.Where(o => !subscribed.Contains(o.Topic) && now - o.Offset.CommitTimestamp >= retentionMs)
                .Select(o => (o.Topic, o.Partition)));
        }
        try
        {
            if (expiring.Count > 0)
            {
                Persist(groupId, Tombstones(groupId, expiring));
                foreach (var (topic, partition) in expiring)
                {
                    _offsets.Remove(groupId, topic, partition);
                }
            }
            empty = entry.Consumer is { } c ? c.MemberCount == 0 : group.State == GroupState.Empty;
            if (empty && _offsets.All(groupId).Count == 0 && (entry.Consumer?.Delete() ?? group.Delete()) == ErrorCode.None)
            {
                RemoveDeadGroup(groupId, entry);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return 0; // the log is unavailable (shutting down): try again at the next check
        }
        return expiring.Count;
    }
}
