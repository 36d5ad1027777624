using Rill.Broker.FetchSessions;
using Rill.Broker.Replication.Fetching;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Storage;

namespace Rill.Broker.Tests.Replication.Fetching;

/// <summary>
/// A leader broker for fetcher tests: real leader logs per partition, answering Fetch (sessionless, from each partition's log,
/// high watermark = log end) and OffsetForLeaderEpoch (from the log's epoch cache), with errors forced per partition.
/// Counts connections and records what each request asked for. With <see cref="Sessions"/> it keeps fetch sessions with
/// the broker's own session classes (<see cref="FetchSessionContext"/>, <see cref="FetchSessionCache"/>, <see cref="CachedPartition"/>):
/// a full fetch creates one, an incremental fetch reads every session partition and answers only those with news.
/// </summary>
internal sealed class ScriptedLeader : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Dictionary<(string, int), PartitionLog> _logs = [];
    private readonly Dictionary<(string, int), Func<FetchResponse.PartitionData>> _fetchErrors = [];
    private readonly object _gate = new();
    private int _connections;

    /// <summary>Fetch sessions (KIP-227), as the broker keeps them.</summary>
    public FetchSessionCache? Sessions { get; init; }

    /// <summary>Each Fetch's session id, epoch, partitions sent and partitions forgotten.</summary>
    public List<(int SessionId, int Epoch, int Sent, (string, int)[] Forgotten)> SessionLog { get; } = [];

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Partitions named in each Fetch request, in order.</summary>
    public List<(string Topic, int Partition)[]> FetchRequests { get; } = [];

    /// <summary>Partitions named in each OffsetForLeaderEpoch request.</summary>
    public List<(string Topic, int Partition)[]> EpochRequests { get; } = [];

    public PartitionLog Log(string topic, int partition)
    {
        lock (_gate)
        {
            if (!_logs.TryGetValue((topic, partition), out PartitionLog? log))
            {
                log = PartitionLog.Open(_dir.Sub($"{topic}-{partition}"), new LogConfig());
                log.BecomeLeader(0);
                _logs[(topic, partition)] = log;
            }
            return log;
        }
    }

    public void Append(string topic, int partition, int records)
    {
        PartitionLog log = Log(topic, partition);
        lock (_gate)
        {
            log.Append(BrokerTestBase.Batch(records));
        }
    }

    /// <summary>From now on, fetches of the partition are answered by <paramref name="answer"/> (null: normally again).</summary>
    public void Answer(string topic, int partition, Func<FetchResponse.PartitionData>? answer)
    {
        lock (_gate)
        {
            if (answer is null)
            {
                _fetchErrors.Remove((topic, partition));
            }
            else
            {
                _fetchErrors[(topic, partition)] = answer;
            }
        }
    }

    public List<(int SessionId, int Epoch, int Sent, (string, int)[] Forgotten)> SessionLogSnapshot()
    {
        lock (_gate)
        {
            return [.. SessionLog];
        }
    }

    public int FetchesNaming(string topic, int partition)
    {
        lock (_gate)
        {
            return FetchRequests.Count(r => r.Contains((topic, partition)));
        }
    }

    public int EpochRequestsNaming(string topic, int partition)
    {
        lock (_gate)
        {
            return EpochRequests.Count(r => r.Contains((topic, partition)));
        }
    }

    public int MaxPartitionsPerFetch()
    {
        lock (_gate)
        {
            return FetchRequests.Count == 0 ? 0 : FetchRequests.Max(r => r.Length);
        }
    }

    public Task<IReplicaLeaderLink> ConnectAsync(CancellationToken _)
    {
        Interlocked.Increment(ref _connections);
        return Task.FromResult<IReplicaLeaderLink>(new Link(this));
    }

    private FetchResponse Fetch(FetchRequest request)
    {
        var response = new FetchResponse();
        bool any = false;
        lock (_gate)
        {
            FetchRequests.Add([.. request.Topics.SelectMany(t => t.Partitions.Select(p => (t.Topic, p.Partition)))]);
            SessionLog.Add((request.SessionId, request.SessionEpoch, request.Topics.Sum(t => t.Partitions.Count),
                [.. request.ForgottenTopicsData.SelectMany(t => t.Partitions.Select(p => (t.Topic, p)))]));
            FetchSessionContext? context = Sessions is { } cache ? FetchSessionContext.Create(cache, request, 11) : null;
            if (context is { Mode: FetchSessionMode.Error })
            {
                return new FetchResponse { ErrorCode = (short)context.Error };
            }
            List<(string Topic, FetchRequest.FetchPartition Partition, CachedPartition? Cached)> targets = context?.Session is { } session
                ? [.. session.Snapshot().Select(c => (c.Key.Topic, new FetchRequest.FetchPartition { Partition = c.Key.Partition, FetchOffset = c.FetchOffset,
                    PartitionMaxBytes = c.MaxBytes, CurrentLeaderEpoch = c.CurrentLeaderEpoch }, (CachedPartition?)c))]
                : [.. request.Topics.SelectMany(t => t.Partitions.Select(p => (t.Topic, p, (CachedPartition?)null)))];
            if (context is { Mode: FetchSessionMode.Full } && Sessions is { } sessions)
            {
                FetchSession? created = sessions.TryCreate(true, false, targets.Count, created =>
                {
                    foreach (FetchRequest.FetchTopic topic in request.Topics)
                    {
                        foreach (FetchRequest.FetchPartition p in topic.Partitions)
                        {
                            created.AddOrUpdate(FetchSessionContext.KeyOf(topic, p.Partition, false), p);
                        }
                    }
                });
                response.SessionId = created?.Id ?? 0;
            }
            else if (context?.Session is { } incremental)
            {
                response.SessionId = incremental.Id;
            }
            foreach (var (topic, p, cached) in targets)
            {
                FetchResponse.PartitionData data;
                if (_fetchErrors.TryGetValue((topic, p.Partition), out var forced))
                {
                    data = forced();
                    data.PartitionIndex = p.Partition;
                }
                else
                {
                    PartitionLog log = Log(topic, p.Partition);
                    data = new FetchResponse.PartitionData
                    {
                        PartitionIndex = p.Partition, HighWatermark = log.LogEndOffset, LogStartOffset = log.LogStartOffset, LastStableOffset = -1,
                        Records = ReadOnlyMemory<byte>.Empty,
                    };
                    if (p.FetchOffset > log.LogEndOffset)
                    {
                        data.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                    }
                    else if (p.FetchOffset < log.LogEndOffset)
                    {
                        LogReadResult read = log.Read(p.FetchOffset, p.PartitionMaxBytes, minOneBatch: true);
                        byte[] bytes = new byte[read.Length];
                        read.CopyTo(bytes);
                        data.Records = bytes;
                        any = true;
                    }
                }
                if (cached is not null && !cached.MustRespond(data, remember: true))
                {
                    continue; // an incremental answer carries only partitions with news
                }
                if (response.Responses.Find(r => r.Topic == topic) is not { } answer)
                {
                    response.Responses.Add(answer = new FetchResponse.FetchableTopicResponse { Topic = topic });
                }
                answer.Partitions.Add(data);
            }
        }
        if (!any)
        {
            Thread.Sleep(5); // a short long poll: an idle fetcher does not spin
        }
        return response;
    }

    private OffsetForLeaderEpochResponse OffsetForLeaderEpoch(OffsetForLeaderEpochRequest request)
    {
        var response = new OffsetForLeaderEpochResponse();
        lock (_gate)
        {
            EpochRequests.Add([.. request.Topics.SelectMany(t => t.Partitions.Select(p => (t.Topic, p.Partition)))]);
            foreach (var topic in request.Topics)
            {
                var answer = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
                response.Topics.Add(answer);
                foreach (var p in topic.Partitions)
                {
                    var end = Log(topic.Topic, p.Partition).EndOffsetForEpoch(p.LeaderEpoch);
                    answer.Partitions.Add(new OffsetForLeaderEpochResponse.EpochEndOffset
                    {
                        Partition = p.Partition, LeaderEpoch = end.Epoch, EndOffset = end.EndOffset,
                    });
                }
            }
        }
        return response;
    }

    public void Dispose()
    {
        foreach (PartitionLog log in _logs.Values)
        {
            log.Dispose();
        }
        _dir.Dispose();
    }

    private sealed class Link(ScriptedLeader leader) : IReplicaLeaderLink
    {
        public Task<FetchResponse> FetchAsync(FetchRequest request, CancellationToken cancellationToken) => Task.Run(() => leader.Fetch(request), cancellationToken);

        public Task<OffsetForLeaderEpochResponse> OffsetForLeaderEpochAsync(OffsetForLeaderEpochRequest request, CancellationToken cancellationToken)
            => Task.FromResult(leader.OffsetForLeaderEpoch(request));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
