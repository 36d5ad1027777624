using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.FetchSessions;

/// <summary>
/// A partition of a fetch session: by topic id (sessions of Fetch v13+, <see cref="Topic"/> empty) or by
/// topic name (v7-12, <see cref="TopicId"/> empty), and the partition index.
/// </summary>
internal readonly record struct SessionPartitionKey(Guid TopicId, string Topic, int Partition);

/// <summary>
/// What a fetch session remembers about one partition: the fetch position the client last sent (an
/// incremental request only resends partitions whose position or limits changed) and the metadata last
/// answered, so an incremental response can leave out a partition with no new data and nothing changed.
/// </summary>
internal sealed class CachedPartition
{
    public CachedPartition(SessionPartitionKey key, FetchRequest.FetchPartition request)
    {
        Key = key;
        Update(request);
    }

    public SessionPartitionKey Key { get; }
    public long FetchOffset { get; private set; }
    public int MaxBytes { get; private set; }
    public int CurrentLeaderEpoch { get; private set; }
    public int LastFetchedEpoch { get; private set; }

    /// <summary>The follower's log start offset as sent (-1 for consumers).</summary>
    public long FetcherLogStartOffset { get; private set; }

    /// <summary>The last answered high watermark; -1 after an error, so the partition is answered again once it clears.</summary>
    public long HighWatermark { get; private set; } = -1;

    public long LastStableOffset { get; private set; } = -1;

    public long LogStartOffset { get; private set; } = -1;

    /// <summary>Takes the fetch position and limits from a (full or incremental) request.</summary>
    public void Update(FetchRequest.FetchPartition request)
    {
        FetchOffset = request.FetchOffset;
        MaxBytes = request.PartitionMaxBytes;
        CurrentLeaderEpoch = request.CurrentLeaderEpoch;
        LastFetchedEpoch = request.LastFetchedEpoch;
        FetcherLogStartOffset = request.LogStartOffset;
    }

    /// <summary>
    /// Whether an incremental response must carry this partition (Kafka's rules: new records, a changed high
    /// watermark or log start offset, an error, a preferred read replica or a diverging epoch; Rill adds a
    /// changed last stable offset, which read_committed consumers need), remembering what it answered when
    /// <paramref name="remember"/> is set.
    /// </summary>
    public bool MustRespond(FetchResponse.PartitionData data, bool remember)
        => MustRespond(data.Records is { Length: > 0 } || data.PreferredReadReplica >= 0 || data.DivergingEpoch is not null,
            data.ErrorCode, data.HighWatermark, data.LastStableOffset, data.LogStartOffset, remember);

    /// <summary>
    /// Whether a plain read (no preferred replica, no diverging epoch) would be left out of an incremental
    /// response: no records, no error, the same offsets as last answered. The Fetch handler asks before it
    /// builds the partition's response entry, so an idle partition of a session costs no allocation.
    /// </summary>
    public bool Unchanged(bool hasRecords, ErrorCode error, long highWatermark, long lastStableOffset, long logStartOffset)
        => !MustRespond(hasRecords, (short)error, highWatermark, lastStableOffset, logStartOffset, remember: false);

    private bool MustRespond(bool news, short error, long highWatermark, long lastStableOffset, long logStartOffset, bool remember)
    {
        bool must = news;
        if (HighWatermark != highWatermark || LastStableOffset != lastStableOffset || LogStartOffset != logStartOffset)
        {
            must = true;
            if (remember)
            {
                HighWatermark = highWatermark;
                LastStableOffset = lastStableOffset;
                LogStartOffset = logStartOffset;
            }
        }
        if (error != 0)
        {
            must = true;
            if (remember)
            {
                HighWatermark = -1;
            }
        }
        return must;
    }
}
