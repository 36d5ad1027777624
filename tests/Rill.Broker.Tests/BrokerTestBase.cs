using Rill.Hosting;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests;

/// <summary>An EmbeddedBroker per test class, plus helpers to speak to it over the wire.</summary>
public abstract class BrokerTestBase : IAsyncLifetime
{
    protected EmbeddedBroker Broker { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string>? Properties => null;

    public async Task InitializeAsync() => Broker = await EmbeddedBroker.StartAsync(Properties);

    public async Task DisposeAsync() => await Broker.DisposeAsync();

    internal Task<WireClient> ConnectAsync() => WireClient.ConnectAsync(Broker.BootstrapServers);

    internal async Task CreateTopicAsync(WireClient client, string name, int partitions = 1, params (string Key, string Value)[] configs)
    {
        var request = new CreateTopicsRequest();
        var topic = new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 };
        foreach (var (key, value) in configs)
        {
            topic.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = key, Value = value });
        }
        request.Topics.Add(topic);
        var response = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, request);
        Assert.Equal(0, response.Topics[0].ErrorCode);
    }

    internal static byte[] Batch(int records, string prefix = "v", bool keys = true, long producerId = -1, short epoch = -1, int sequence = -1)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var data = Enumerable.Range(0, records)
            .Select(i => new RecordData(now, keys ? (ReadOnlyMemory<byte>?)System.Text.Encoding.UTF8.GetBytes($"k{i}") : null, System.Text.Encoding.UTF8.GetBytes($"{prefix}{i}")))
            .ToList();
        return RecordBatchBuilder.Build(data, new BatchOptions(ProducerId: producerId, ProducerEpoch: epoch, BaseSequence: sequence));
    }

    internal static ProduceRequest Produce(string topic, int partition, byte[] records, short acks = -1)
    {
        var request = new ProduceRequest { Acks = acks, TimeoutMs = 5000 };
        var data = new ProduceRequest.TopicProduceData { Name = topic };
        data.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = partition, Records = records });
        request.TopicData.Add(data);
        return request;
    }

    internal static FetchRequest Fetch(string topic, int partition, long offset, int maxWaitMs = 0, int minBytes = 1, int maxBytes = 1 << 20)
    {
        var request = new FetchRequest { MaxWaitMs = maxWaitMs, MinBytes = minBytes, MaxBytes = maxBytes };
        var data = new FetchRequest.FetchTopic { Topic = topic };
        data.Partitions.Add(new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = maxBytes });
        request.Topics.Add(data);
        return request;
    }

    internal async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(WireClient client, string topic, int partition, byte[] records)
    {
        var response = await client.RequestAsync<ProduceResponse>(ApiKey.Produce, 9, Produce(topic, partition, records));
        return response.Responses[0].PartitionResponses[0];
    }

    internal async Task<FetchResponse.PartitionData> FetchAsync(WireClient client, string topic, int partition, long offset, int maxWaitMs = 0, int minBytes = 1)
    {
        var response = await client.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, Fetch(topic, partition, offset, maxWaitMs, minBytes));
        return response.Responses[0].Partitions[0];
    }

    /// <summary>Base offsets of the batches in a fetched records buffer.</summary>
    internal static List<long> BatchBaseOffsets(ReadOnlyMemory<byte>? records)
    {
        var result = new List<long>();
        ReadOnlySpan<byte> span = records is { } r ? r.Span : default;
        int position = 0;
        while (span.Length - position >= RecordBatchLayout.LogOverhead)
        {
            result.Add(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(span[position..]));
            position += System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(span[(position + 8)..]) + RecordBatchLayout.LogOverhead;
        }
        return result;
    }
}
