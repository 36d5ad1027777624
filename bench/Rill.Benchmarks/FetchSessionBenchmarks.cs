using BenchmarkDotNet.Attributes;
using Rill.Broker;
using Rill.Broker.Config;
using Rill.Broker.Handlers;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Benchmarks;

/// <summary>
/// A consumer of many partitions with nothing new to read, as Fetch v12 answers it: a sessionless full fetch
/// (every partition in the request and the response) against an incremental fetch of a fetch session (KIP-227:
/// no partition in the request, none in the response). Both go through the Fetch handler, without sockets.
/// </summary>
[MemoryDiagnoser]
public class FetchSessionBenchmarks
{
    private string _dir = "";
    private KafkaBroker _broker = null!;
    private IApiHandler _fetch = null!;
    private FetchRequest _full = null!;
    private FetchRequest _incremental = null!;

    [Params(100)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("rill-bench-fetch-").FullName;
        (_broker, _fetch) = FetchBench.StartBroker(_dir, Partitions);
        _full = FetchBench.FullRequest(Partitions, sessionEpoch: -1);
        _incremental = FetchBench.OpenSession(_fetch, Partitions);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public object? Full() => FetchBench.Send(_fetch, _full);

    [Benchmark]
    public object? Incremental() => FetchBench.SendIncremental(_fetch, _incremental);
}

/// <summary>The Fetch handler of a broker with one topic of empty partitions, driven without sockets.</summary>
public static class FetchBench
{
    internal static (KafkaBroker Broker, IApiHandler Fetch) StartBroker(string dir, int partitions)
    {
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["log.dirs"] = dir,
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["offsets.topic.num.partitions"] = "1",
        });
        var broker = new KafkaBroker(config);
        broker.StartAsync().GetAwaiter().GetResult();
        var created = broker.Topics.Create("fetched", partitions, 1, [], validateOnly: false);
        if (created.Error != ErrorCode.None)
        {
            throw new InvalidOperationException($"creating the topic failed: {created.Error}");
        }
        return (broker, broker.Handlers.Find((short)ApiKey.Fetch)!);
    }

    internal static FetchRequest FullRequest(int partitions, int sessionEpoch)
    {
        var request = new FetchRequest { MaxWaitMs = 0, MinBytes = 0, SessionId = 0, SessionEpoch = sessionEpoch };
        var topic = new FetchRequest.FetchTopic { Topic = "fetched" };
        for (int i = 0; i < partitions; i++)
        {
            topic.Partitions.Add(new FetchRequest.FetchPartition { Partition = i, FetchOffset = 0, PartitionMaxBytes = 1 << 20 });
        }
        request.Topics.Add(topic);
        return request;
    }

    /// <summary>Creates a session of every partition; returns the (empty) incremental request for it.</summary>
    internal static FetchRequest OpenSession(IApiHandler fetch, int partitions)
    {
        var response = (FetchResponse)Send(fetch, FullRequest(partitions, sessionEpoch: 0))!;
        if (response.SessionId == 0)
        {
            throw new InvalidOperationException("no fetch session was created");
        }
        return new FetchRequest { MaxWaitMs = 0, MinBytes = 0, SessionId = response.SessionId, SessionEpoch = 1 };
    }

    internal static object? Send(IApiHandler fetch, FetchRequest request)
    {
        var context = new RequestContext { ApiKey = ApiKey.Fetch, ApiVersion = 12, CorrelationId = 1, ConnectionId = "bench" };
        return fetch.HandleAsync(context, request).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>One incremental fetch; moves the request to the session's next epoch.</summary>
    internal static object? SendIncremental(IApiHandler fetch, FetchRequest request)
    {
        var response = (FetchResponse)Send(fetch, request)!;
        if (response.ErrorCode != 0 || response.Responses.Count != 0)
        {
            throw new InvalidOperationException($"unexpected incremental answer: error {response.ErrorCode}, {response.Responses.Count} topics");
        }
        request.SessionEpoch = request.SessionEpoch == int.MaxValue ? 1 : request.SessionEpoch + 1;
        return response;
    }
}
