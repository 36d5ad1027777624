using Rill.Broker.Replication.Fetching;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Storage;

namespace Rill.Broker.Tests.Replication.Fetching;

/// <summary>
/// A leader broker for fetcher tests: real leader logs per partition, answering Fetch (sessionless, from each partition's log,
/// high watermark = log end) and OffsetForLeaderEpoch (from the log's epoch cache), with errors forced per partition.
/// Counts connections and records what each request asked for.
/// </summary>
internal sealed class ScriptedLeader : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Dictionary<(string, int), PartitionLog> _logs = [];
    private readonly Dictionary<(string, int), Func<FetchResponse.PartitionData>> _fetchErrors = [];
    private readonly object _gate = new();
    private int _connections;

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
            foreach (FetchRequest.FetchTopic topic in request.Topics)
            {
                var answer = new FetchResponse.FetchableTopicResponse { Topic = topic.Topic };
                response.Responses.Add(answer);
                foreach (FetchRequest.FetchPartition p in topic.Partitions)
                {
                    if (_fetchErrors.TryGetValue((topic.Topic, p.Partition), out var forced))
                    {
                        FetchResponse.PartitionData data = forced();
                        data.PartitionIndex = p.Partition;
                        answer.Partitions.Add(data);
                        continue;
                    }
                    PartitionLog log = Log(topic.Topic, p.Partition);
                    var result = new FetchResponse.PartitionData
                    {
                        PartitionIndex = p.Partition, HighWatermark = log.LogEndOffset, LogStartOffset = log.LogStartOffset, Records = ReadOnlyMemory<byte>.Empty,
                    };
                    if (p.FetchOffset > log.LogEndOffset)
                    {
                        result.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                    }
                    else if (p.FetchOffset < log.LogEndOffset)
                    {
                        LogReadResult read = log.Read(p.FetchOffset, p.PartitionMaxBytes, minOneBatch: true);
                        byte[] bytes = new byte[read.Length];
                        read.CopyTo(bytes);
                        result.Records = bytes;
                        any = true;
                    }
                    answer.Partitions.Add(result);
                }
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
