using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>When the storage refuses a partition, the request fails with KAFKA_STORAGE_ERROR and nothing else changes.</summary>
public class StorageFailureTests : BrokerTestBase
{
    private static CreateTopicsRequest Create(string name, int partitions) => new()
    {
        Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }],
    };

    [Fact]
    public async Task A_partition_the_disk_refuses_rolls_back_the_topic_and_the_broker_carries_on()
    {
        string logDir = Broker.Host.Broker.Config.LogDirs[0];
        string blocker = Path.Combine(logDir, "riders-2");
        await File.WriteAllTextAsync(blocker, "a file where partition 2's directory should go");
        await using var client = await ConnectAsync();

        var failed = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("riders", 4));
        Assert.Equal((short)ErrorCode.KafkaStorageError, failed.Topics[0].ErrorCode);
        Assert.Contains("riders-2", failed.Topics[0].ErrorMessage);
        var metadata = await client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest
        {
            Topics = [new MetadataRequest.MetadataRequestTopic { Name = "riders" }], AllowAutoTopicCreation = false,
        });
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, metadata.Topics[0].ErrorCode);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((Directory.Exists(Path.Combine(logDir, "riders-0")) || Directory.Exists(Path.Combine(logDir, "riders-1"))) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.False(Directory.Exists(Path.Combine(logDir, "riders-0")));
        Assert.False(Directory.Exists(Path.Combine(logDir, "riders-1")));

        // Raising a topic's partition count the same way fails alone, too.
        await CreateTopicAsync(client, "orders", 1);
        await File.WriteAllTextAsync(Path.Combine(logDir, "orders-1"), "blocker");
        var grow = await client.RequestAsync<CreatePartitionsResponse>(ApiKey.CreatePartitions, 3, new CreatePartitionsRequest
        {
            Topics = [new CreatePartitionsRequest.CreatePartitionsTopic { Name = "orders", Count = 3 }], TimeoutMs = 5000,
        });
        Assert.Equal((short)ErrorCode.KafkaStorageError, grow.Results[0].ErrorCode);
        Assert.Single(Broker.Host.Broker.Topics.Find("orders")!.Partitions);

        // With the obstacle gone the same requests succeed.
        File.Delete(blocker);
        var created = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("riders", 4));
        Assert.Equal(0, created.Topics[0].ErrorCode);
    }

    [Fact]
    public async Task A_topic_list_that_cannot_be_written_fails_the_creation_with_a_clear_error_and_leaves_no_topic()
    {
        string logDir = Broker.Host.Broker.Config.LogDirs[0];
        string temp = Path.Combine(logDir, "rill-topics.json.tmp");
        Directory.CreateDirectory(temp); // the topic list is written there first: now it cannot be
        await using var client = await ConnectAsync();

        var failed = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("wide", 3000));
        Assert.Equal((short)ErrorCode.KafkaStorageError, failed.Topics[0].ErrorCode);
        Assert.Contains("topic list", failed.Topics[0].ErrorMessage);
        Assert.Null(Broker.Host.Broker.Topics.Find("wide"));

        Directory.Delete(temp);
        var created = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("wide", 3000));
        Assert.Equal(0, created.Topics[0].ErrorCode);
        Assert.Equal(3000, Broker.Host.Broker.Topics.Find("wide")!.Partitions.Length);
    }
}
