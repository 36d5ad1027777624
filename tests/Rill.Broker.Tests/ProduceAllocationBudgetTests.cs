using System.Text.Json;
using Rill.Broker.Config;
using Rill.Broker.Handlers;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests;

/// <summary>
/// A Produce request (acks=all, 64 KB of 100-byte records, one batch per partition) through the Produce handler:
/// validation, append and response, against bench/allocation-budgets.json (ProduceBenchmarks.Produce). The budget is
/// per request and far below a byte per record, so a per-record or per-byte allocation on the path fails it.
/// </summary>
[Collection(AllocationBudgetCollection.Name)]
public sealed class ProduceAllocationBudgetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rill-produce-budget-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static long Budget(string name)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "bench", "allocation-budgets.json")));
        return doc.RootElement.GetProperty(name).GetInt64();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public async Task Produce_request_stays_within_budget(int partitions)
    {
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["log.dirs"] = Path.Combine(_dir, $"p{partitions}"),
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["offsets.topic.num.partitions"] = "1",
        });
        await using var broker = new KafkaBroker(config);
        await broker.StartAsync();
        Assert.Equal(ErrorCode.None, broker.Topics.Create("budget", partitions, 1, [], validateOnly: false).Error);
        IApiHandler produce = broker.Handlers.Find((short)ApiKey.Produce)!;

        int records = 64 * 1024 / partitions / 110;
        byte[] value = new byte[100];
        var request = new ProduceRequest { Acks = -1, TimeoutMs = 30_000 };
        var topic = new ProduceRequest.TopicProduceData { Name = "budget" };
        for (int p = 0; p < partitions; p++)
        {
            var data = Enumerable.Range(0, records).Select(i => new RecordData(1_700_000_000_000 + i, null, value)).ToList();
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = p, Records = RecordBatchBuilder.Build(data) });
        }
        request.TopicData.Add(topic);
        var context = new RequestContext { ApiKey = ApiKey.Produce, ApiVersion = 9, CorrelationId = 1, ConnectionId = "budget" };
        void Send()
        {
            ValueTask<IApiMessage?> pending = produce.HandleAsync(context, request);
            Assert.True(pending.IsCompletedSuccessfully); // acks=all on a single node: answered at once
            var response = (ProduceResponse)pending.Result!;
            foreach (var answer in response.Responses[0].PartitionResponses)
            {
                if (answer.ErrorCode != 0) Assert.Fail($"partition {answer.Index}: error {answer.ErrorCode}");
            }
        }

        for (int i = 0; i < 100; i++) Send();
        const int operations = 300;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < operations; i++) Send();
        double perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)operations;

        Assert.Equal(400L * records, broker.Topics.Find("budget")!.GetPartition(0)!.Log.LogEndOffset);
        long budget = Budget($"ProduceBenchmarks.Produce(Partitions={partitions})");
        Assert.True(perRequest <= budget, $"{perRequest:F0} bytes per request of {records * partitions} records, budget {budget}");
    }
}
