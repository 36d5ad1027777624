using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests;

/// <summary>Metadata, CreateTopics and DeleteTopics, and what survives a restart.</summary>
public class TopicAdminTests : BrokerTestBase
{
    protected override IReadOnlyDictionary<string, string>? Properties => new Dictionary<string, string> { ["num.partitions"] = "3" };

    private static CreateTopicsRequest Create(string name, int partitions = -1, short replication = -1, bool validateOnly = false, params (string, string)[] configs)
    {
        var topic = new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = replication };
        foreach (var (k, v) in configs)
        {
            topic.Configs.Add(new() { Name = k, Value = v });
        }
        return new CreateTopicsRequest { Topics = [topic], ValidateOnly = validateOnly };
    }

    [Fact]
    public async Task Create_with_defaults_configs_validate_only_and_errors()
    {
        await using var client = await ConnectAsync();
        var created = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("defaults", configs: ("retention.ms", "60000")));
        var result = created.Topics[0];
        Assert.Equal(0, result.ErrorCode);
        Assert.Equal(3, result.NumPartitions);
        Assert.NotEqual(Guid.Empty, result.TopicId);
        Assert.Contains(result.Configs!, c => c.Name == "retention.ms" && c.Value == "60000" && c.ConfigSource == 1);
        Assert.Contains(result.Configs!, c => c.Name == "segment.bytes" && c.ConfigSource == 5);

        var again = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("defaults"));
        Assert.Equal((short)ErrorCode.TopicAlreadyExists, again.Topics[0].ErrorCode);

        var validate = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("only-validated", 5, validateOnly: true));
        Assert.Equal(0, validate.Topics[0].ErrorCode);
        Assert.Equal(5, validate.Topics[0].NumPartitions);

        var badConfig = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("bad-config", configs: ("retention.msec", "1")));
        Assert.Equal((short)ErrorCode.InvalidConfig, badConfig.Topics[0].ErrorCode);
        Assert.Contains("retention.ms", badConfig.Topics[0].ErrorMessage);
        var badValue = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("bad-value", configs: ("cleanup.policy", "shred")));
        Assert.Equal((short)ErrorCode.InvalidConfig, badValue.Topics[0].ErrorCode);
        var replication = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("rf3", 1, 3));
        Assert.Equal((short)ErrorCode.InvalidReplicationFactor, replication.Topics[0].ErrorCode);
        var badName = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("bad/name"));
        Assert.Equal((short)ErrorCode.InvalidTopicException, badName.Topics[0].ErrorCode);
        var zero = await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("zero", 0));
        Assert.Equal((short)ErrorCode.InvalidPartitions, zero.Topics[0].ErrorCode);

        var metadata = await client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = null });
        Assert.Equal(["defaults"], metadata.Topics.Select(t => t.Name));
    }

    [Fact]
    public async Task Metadata_auto_creates_when_allowed_and_reports_unknown_topics_otherwise()
    {
        await using var client = await ConnectAsync();
        var allowed = await client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12,
            new MetadataRequest { Topics = [new() { Name = "auto" }], AllowAutoTopicCreation = true });
        Assert.Equal(0, allowed.Topics[0].ErrorCode);
        Assert.Equal(3, allowed.Topics[0].Partitions.Count);
        Assert.Equal(Broker.Port, allowed.Brokers[0].Port);

        var refused = await client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12,
            new MetadataRequest { Topics = [new() { Name = "not-auto" }], AllowAutoTopicCreation = false });
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, refused.Topics[0].ErrorCode);

        var v0All = await client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 0, new MetadataRequest { Topics = [] });
        Assert.Equal(["auto"], v0All.Topics.Select(t => t.Name));
        var v1None = await client.RequestAsync<MetadataResponse>(ApiKey.Metadata, 1, new MetadataRequest { Topics = [] });
        Assert.Empty(v1None.Topics);
    }

    [Fact]
    public async Task Topics_configs_and_data_survive_a_restart_and_deleted_topics_stay_deleted()
    {
        await using (var client = await ConnectAsync())
        {
            await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("kept", 2, configs: ("cleanup.policy", "compact")));
            await client.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, Create("dropped", 1));
            Assert.Equal(0, (await ProduceAsync(client, "kept", 1, Batch(4))).ErrorCode);
            var deleted = await client.RequestAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, 6,
                new DeleteTopicsRequest { Topics = [new() { Name = "dropped" }], TimeoutMs = 1000 });
            Assert.Equal(0, deleted.Responses[0].ErrorCode);
            var unknown = await client.RequestAsync<DeleteTopicsResponse>(ApiKey.DeleteTopics, 4,
                new DeleteTopicsRequest { TopicNames = ["never-was"], TimeoutMs = 1000 });
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, unknown.Responses[0].ErrorCode);
        }

        await Broker.RestartAsync();

        await using var after = await ConnectAsync();
        var metadata = await after.RequestAsync<MetadataResponse>(ApiKey.Metadata, 12, new MetadataRequest { Topics = null });
        Assert.Equal(["kept"], metadata.Topics.Select(t => t.Name));
        Assert.Equal(2, metadata.Topics[0].Partitions.Count);
        var fetched = await FetchAsync(after, "kept", 1, 0);
        Assert.Equal(4, fetched.HighWatermark);
        // The compact policy survived: keyless records are still refused.
        Assert.Equal((short)ErrorCode.InvalidRecord, (await ProduceAsync(after, "kept", 0, Batch(1, keys: false))).ErrorCode);
    }
}
