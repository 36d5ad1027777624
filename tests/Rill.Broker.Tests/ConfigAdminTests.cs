using System.Buffers.Binary;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Broker.Tests;

/// <summary>DescribeConfigs, AlterConfigs and IncrementalAlterConfigs over the wire, and what the changes do to produce.</summary>
public class ConfigAdminTests : BrokerTestBase
{
    private const sbyte TopicResource = 2, BrokerResource = 4;
    private const sbyte Set = 0, Delete = 1, Append = 2, Subtract = 3;

    // A static broker setting, so sources and synonyms have all layers to show.
    protected override IReadOnlyDictionary<string, string>? Properties => new Dictionary<string, string> { ["log.retention.hours"] = "48" };

    internal static DescribeConfigsRequest Describe(sbyte type, string name, string[]? keys = null, bool synonyms = false, bool docs = false)
        => new()
        {
            Resources = [new() { ResourceType = type, ResourceName = name, ConfigurationKeys = keys?.ToList() }],
            IncludeSynonyms = synonyms,
            IncludeDocumentation = docs,
        };

    internal static async Task<DescribeConfigsResponse.DescribeConfigsResult> DescribeAsync(WireClient client, sbyte type, string name,
        string[]? keys = null, bool synonyms = false, bool docs = false, short version = 4)
        => (await client.RequestAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, version, Describe(type, name, keys, synonyms, docs))).Results[0];

    private static async Task<AlterConfigsResponse.AlterConfigsResourceResponse> AlterAsync(WireClient client, sbyte type, string name,
        bool validateOnly = false, short version = 2, params (string Name, string? Value)[] configs)
    {
        var request = new AlterConfigsRequest { ValidateOnly = validateOnly };
        var resource = new AlterConfigsRequest.AlterConfigsResource { ResourceType = type, ResourceName = name };
        foreach (var (key, value) in configs)
        {
            resource.Configs.Add(new() { Name = key, Value = value });
        }
        request.Resources.Add(resource);
        return (await client.RequestAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, version, request)).Responses[0];
    }

    internal static async Task<IncrementalAlterConfigsResponse.AlterConfigsResourceResponse> IncrementalAsync(WireClient client, sbyte type,
        string name, bool validateOnly = false, short version = 1, params (string Name, sbyte Op, string? Value)[] ops)
    {
        var request = new IncrementalAlterConfigsRequest { ValidateOnly = validateOnly };
        var resource = new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = type, ResourceName = name };
        foreach (var (key, op, value) in ops)
        {
            resource.Configs.Add(new() { Name = key, ConfigOperation = op, Value = value });
        }
        request.Resources.Add(resource);
        return (await client.RequestAsync<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, version, request)).Responses[0];
    }

    private static DescribeConfigsResponse.DescribeConfigsResourceResult Config(DescribeConfigsResponse.DescribeConfigsResult result, string name)
        => Assert.Single(result.Configs, c => c.Name == name);

    internal static byte[] BatchAt(long timestamp, int valueBytes = 10, bool key = true)
        => RecordBatchBuilder.Build([new RecordData(timestamp, key ? (ReadOnlyMemory<byte>?)"k"u8.ToArray() : null, new byte[valueBytes])]);

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task DescribeConfigs_topic_lists_every_config_with_sources_synonyms_types_and_documentation()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "described", 1, ("retention.bytes", "1000000"), ("cleanup.policy", "compact"));

        var all = await DescribeAsync(client, TopicResource, "described", synonyms: true, docs: true);
        Assert.Equal(0, all.ErrorCode);
        Assert.True(all.Configs.Count >= 30, $"{all.Configs.Count} configs");
        Assert.Equal(all.Configs.Select(c => c.Name).Order(StringComparer.Ordinal), all.Configs.Select(c => c.Name));
        Assert.DoesNotContain(all.Configs, c => c.Name == "message.format.version");

        var bytes = Config(all, "retention.bytes");
        Assert.Equal("1000000", bytes.Value);
        Assert.Equal(1, bytes.ConfigSource); // DYNAMIC_TOPIC_CONFIG
        Assert.Equal(5, bytes.ConfigType); // LONG
        Assert.Equal(["retention.bytes", "log.retention.bytes"], bytes.Synonyms.Select(s => s.Name));
        Assert.Equal([(sbyte)1, (sbyte)5], bytes.Synonyms.Select(s => s.Source));
        Assert.False(string.IsNullOrEmpty(bytes.Documentation));

        // retention.ms comes from the static log.retention.hours=48, with Kafka's default behind it.
        var retention = Config(all, "retention.ms");
        Assert.Equal("172800000", retention.Value);
        Assert.Equal(4, retention.ConfigSource); // STATIC_BROKER_CONFIG
        Assert.Equal([("log.retention.hours", "48", (sbyte)4), ("log.retention.hours", "168", (sbyte)5)],
            retention.Synonyms.Select(s => (s.Name, s.Value, s.Source)));

        var segment = Config(all, "segment.bytes");
        Assert.Equal("1073741824", segment.Value);
        Assert.Equal(5, segment.ConfigSource); // DEFAULT_CONFIG
        Assert.Equal(3, segment.ConfigType); // INT
        Assert.Equal(7, Config(all, "cleanup.policy").ConfigType); // LIST
        Assert.All(all.Configs, c => Assert.False(c.ReadOnly));

        var filtered = await DescribeAsync(client, TopicResource, "described", ["segment.bytes", "no.such.config"]);
        Assert.Equal(["segment.bytes"], filtered.Configs.Select(c => c.Name));
        Assert.Empty(filtered.Configs[0].Synonyms);
        Assert.Null(filtered.Configs[0].Documentation);

        var v0 = await DescribeAsync(client, TopicResource, "described", ["retention.bytes", "segment.bytes"], version: 0);
        Assert.False(Config(v0, "retention.bytes").IsDefault);
        Assert.True(Config(v0, "segment.bytes").IsDefault);
        var v1 = await DescribeAsync(client, TopicResource, "described", ["retention.ms"], synonyms: true, version: 1);
        Assert.Equal(4, v1.Configs[0].ConfigSource);
        Assert.Equal(2, v1.Configs[0].Synonyms.Count);
    }

    [Fact]
    public async Task DescribeConfigs_broker_shows_static_values_read_only_flags_and_hides_sensitive_ones()
    {
        await using var client = await ConnectAsync();
        var broker = await DescribeAsync(client, BrokerResource, "1", synonyms: true);
        Assert.Equal(0, broker.ErrorCode);
        var hours = Config(broker, "log.retention.hours");
        Assert.Equal(("48", (sbyte)4, true), (hours.Value, hours.ConfigSource, hours.ReadOnly)); // as in Kafka: only log.retention.ms is dynamic
        var maxBytes = Config(broker, "message.max.bytes");
        Assert.Equal(("1048588", (sbyte)5, false), (maxBytes.Value, maxBytes.ConfigSource, maxBytes.ReadOnly));
        Assert.True(Config(broker, "listeners").ReadOnly);
        Assert.Equal(4, Config(broker, "listeners").ConfigSource);
        var password = Config(broker, "ssl.key.password");
        Assert.True(password.IsSensitive);
        Assert.Null(password.Value);

        var defaults = await DescribeAsync(client, BrokerResource, "");
        Assert.Equal(0, defaults.ErrorCode);
        Assert.Empty(defaults.Configs);

        var v0 = await DescribeAsync(client, BrokerResource, "1", ["message.max.bytes", "log.retention.hours"], version: 0);
        Assert.True(Config(v0, "message.max.bytes").IsDefault);
        Assert.False(Config(v0, "log.retention.hours").IsDefault);
    }

    [Fact]
    public async Task DescribeConfigs_bad_resources_get_Kafka_errors_and_the_rest_still_answers()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "fine");
        var request = new DescribeConfigsRequest
        {
            Resources =
            [
                new() { ResourceType = TopicResource, ResourceName = "missing", ConfigurationKeys = null },
                new() { ResourceType = TopicResource, ResourceName = "bad/name", ConfigurationKeys = null },
                new() { ResourceType = BrokerResource, ResourceName = "7", ConfigurationKeys = null },
                new() { ResourceType = BrokerResource, ResourceName = "one", ConfigurationKeys = null },
                new() { ResourceType = 8, ResourceName = "1", ConfigurationKeys = null },
                new() { ResourceType = 0, ResourceName = "x", ConfigurationKeys = null },
                new() { ResourceType = TopicResource, ResourceName = "fine", ConfigurationKeys = ["segment.ms"] },
            ],
        };
        var response = await client.RequestAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, 4, request);
        Assert.Equal(
            [ErrorCode.UnknownTopicOrPartition, ErrorCode.InvalidTopicException, ErrorCode.InvalidRequest, ErrorCode.InvalidRequest,
             ErrorCode.InvalidRequest, ErrorCode.InvalidRequest, ErrorCode.None],
            response.Results.Select(r => (ErrorCode)r.ErrorCode));
        Assert.Contains("missing", response.Results[0].ErrorMessage);
        Assert.Single(response.Results[6].Configs);
    }

    [Fact]
    public async Task AlterConfigs_replaces_topic_overrides_applies_them_to_the_next_produce_and_honours_validate_only()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "altered", 1, ("retention.ms", "60000"));
        Assert.Equal(0, (await ProduceAsync(client, "altered", 0, BatchAt(Now, 2000))).ErrorCode);

        var checkOnly = await AlterAsync(client, TopicResource, "altered", validateOnly: true, configs: ("max.message.bytes", "1000"));
        Assert.Equal(0, checkOnly.ErrorCode);
        Assert.Equal("60000", Config(await DescribeAsync(client, TopicResource, "altered", ["retention.ms"]), "retention.ms").Value);
        Assert.Equal(0, (await ProduceAsync(client, "altered", 0, BatchAt(Now, 2000))).ErrorCode);

        var altered = await AlterAsync(client, TopicResource, "altered", configs: ("max.message.bytes", "1000"));
        Assert.Equal((0, (string?)null), (altered.ErrorCode, altered.ErrorMessage));
        var after = await DescribeAsync(client, TopicResource, "altered", ["retention.ms", "max.message.bytes"]);
        Assert.Equal(("1000", (sbyte)1), (Config(after, "max.message.bytes").Value, Config(after, "max.message.bytes").ConfigSource));
        Assert.Equal(("172800000", (sbyte)4), (Config(after, "retention.ms").Value, Config(after, "retention.ms").ConfigSource)); // override gone

        var tooLarge = await ProduceAsync(client, "altered", 0, BatchAt(Now, 2000));
        Assert.Equal((short)ErrorCode.MessageTooLarge, tooLarge.ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, "altered", 0, BatchAt(Now, 100))).ErrorCode);

        // v0 and v1 speak the same body.
        Assert.Equal(0, (await AlterAsync(client, TopicResource, "altered", version: 0, configs: ("max.message.bytes", "5000"))).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, "altered", 0, BatchAt(Now, 2000))).ErrorCode);
    }

    [Fact]
    public async Task AlterConfigs_refuses_bad_names_values_nulls_resources_and_read_only_broker_configs()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "strict");

        var unknown = await AlterAsync(client, TopicResource, "strict", configs: ("retention.msec", "1"));
        Assert.Equal((short)ErrorCode.InvalidConfig, unknown.ErrorCode);
        Assert.Contains("retention.ms", unknown.ErrorMessage);
        var badValue = await AlterAsync(client, TopicResource, "strict", configs: ("segment.bytes", "12"));
        Assert.Equal((short)ErrorCode.InvalidConfig, badValue.ErrorCode);
        Assert.Contains("segment.bytes", badValue.ErrorMessage);
        var nullValue = await AlterAsync(client, TopicResource, "strict", configs: ("segment.bytes", null));
        Assert.Equal((short)ErrorCode.InvalidRequest, nullValue.ErrorCode);
        Assert.Contains("segment.bytes", nullValue.ErrorMessage);
        var twice = await AlterAsync(client, TopicResource, "strict", configs: [("segment.ms", "1000"), ("segment.ms", "2000")]);
        Assert.Equal((short)ErrorCode.InvalidRequest, twice.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await AlterAsync(client, TopicResource, "nope", configs: ("segment.ms", "1000"))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTopicException, (await AlterAsync(client, TopicResource, "", configs: ("segment.ms", "1000"))).ErrorCode);

        var readOnly = await AlterAsync(client, BrokerResource, "1", configs: ("listeners", "PLAINTEXT://127.0.0.1:1"));
        Assert.Equal((short)ErrorCode.InvalidRequest, readOnly.ErrorCode);
        Assert.Contains("listeners", readOnly.ErrorMessage);
        var badBroker = await AlterAsync(client, BrokerResource, "1", configs: ("message.max.bytes", "lots"));
        Assert.Equal((short)ErrorCode.InvalidConfig, badBroker.ErrorCode);
        Assert.Contains("message.max.bytes", badBroker.ErrorMessage);
        Assert.Equal((short)ErrorCode.InvalidConfig, (await AlterAsync(client, BrokerResource, "", configs: ("message.max.byte", "1"))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, (await AlterAsync(client, BrokerResource, "2", configs: ("message.max.bytes", "1000"))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, (await AlterAsync(client, 8, "1", configs: ("kafka", "DEBUG"))).ErrorCode);

        var duplicate = new AlterConfigsRequest
        {
            Resources =
            [
                new() { ResourceType = TopicResource, ResourceName = "strict", Configs = [new() { Name = "segment.ms", Value = "1000" }] },
                new() { ResourceType = TopicResource, ResourceName = "strict", Configs = [new() { Name = "segment.ms", Value = "2000" }] },
            ],
        };
        var response = await client.RequestAsync<AlterConfigsResponse>(ApiKey.AlterConfigs, 2, duplicate);
        Assert.All(response.Responses, r => Assert.Equal((short)ErrorCode.InvalidRequest, r.ErrorCode));

        // Nothing above changed anything.
        var described = await DescribeAsync(client, TopicResource, "strict");
        Assert.All(described.Configs, c => Assert.NotEqual(1, c.ConfigSource));
        Assert.Empty((await DescribeAsync(client, BrokerResource, "")).Configs);
    }

    [Fact]
    public async Task IncrementalAlterConfigs_set_delete_append_subtract_and_validate_only()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "incremental", 1, ("segment.ms", "100000"));

        var set = await IncrementalAsync(client, TopicResource, "incremental", ops: [("retention.ms", Set, "1000"), ("segment.ms", Delete, null)]);
        Assert.Equal(0, set.ErrorCode);
        var described = await DescribeAsync(client, TopicResource, "incremental", ["retention.ms", "segment.ms"]);
        Assert.Equal(("1000", (sbyte)1), (Config(described, "retention.ms").Value, Config(described, "retention.ms").ConfigSource));
        Assert.Equal(("604800000", (sbyte)5), (Config(described, "segment.ms").Value, Config(described, "segment.ms").ConfigSource));

        // cleanup.policy is a list: APPEND starts from Kafka's default "delete".
        Assert.Equal(0, (await IncrementalAsync(client, TopicResource, "incremental", ops: ("cleanup.policy", Append, "compact"))).ErrorCode);
        Assert.Equal("delete,compact", Config(await DescribeAsync(client, TopicResource, "incremental", ["cleanup.policy"]), "cleanup.policy").Value);
        Assert.Equal(0, (await IncrementalAsync(client, TopicResource, "incremental", ops: ("cleanup.policy", Append, "compact"))).ErrorCode);
        Assert.Equal("delete,compact", Config(await DescribeAsync(client, TopicResource, "incremental", ["cleanup.policy"]), "cleanup.policy").Value);
        Assert.Equal(0, (await IncrementalAsync(client, TopicResource, "incremental", ops: ("cleanup.policy", Subtract, "delete"))).ErrorCode);
        Assert.Equal("compact", Config(await DescribeAsync(client, TopicResource, "incremental", ["cleanup.policy"]), "cleanup.policy").Value);
        // The topic is compacted now: records need keys.
        Assert.Equal((short)ErrorCode.InvalidRecord, (await ProduceAsync(client, "incremental", 0, BatchAt(Now, key: false))).ErrorCode);

        var checkOnly = await IncrementalAsync(client, TopicResource, "incremental", validateOnly: true, ops: ("cleanup.policy", Set, "delete"));
        Assert.Equal(0, checkOnly.ErrorCode);
        Assert.Equal("compact", Config(await DescribeAsync(client, TopicResource, "incremental", ["cleanup.policy"]), "cleanup.policy").Value);

        var v0 = await IncrementalAsync(client, TopicResource, "incremental", version: 0, ops: ("retention.ms", Delete, null));
        Assert.Equal(0, v0.ErrorCode);
        Assert.Equal(4, Config(await DescribeAsync(client, TopicResource, "incremental", ["retention.ms"]), "retention.ms").ConfigSource);
    }

    [Fact]
    public async Task IncrementalAlterConfigs_refuses_bad_operations_with_Kafka_codes_naming_the_config()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "inc-strict");

        var appendToLong = await IncrementalAsync(client, TopicResource, "inc-strict", ops: ("retention.ms", Append, "5"));
        Assert.Equal((short)ErrorCode.InvalidConfig, appendToLong.ErrorCode);
        Assert.Contains("retention.ms", appendToLong.ErrorMessage);
        var badList = await IncrementalAsync(client, TopicResource, "inc-strict", ops: ("cleanup.policy", Append, "shred"));
        Assert.Equal((short)ErrorCode.InvalidConfig, badList.ErrorCode);
        Assert.Contains("cleanup.policy", badList.ErrorMessage);
        Assert.Equal((short)ErrorCode.InvalidRequest, (await IncrementalAsync(client, TopicResource, "inc-strict", ops: ("retention.ms", 9, "5"))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, (await IncrementalAsync(client, TopicResource, "inc-strict", ops: ("retention.ms", Set, null))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest,
            (await IncrementalAsync(client, TopicResource, "inc-strict", ops: [("retention.ms", Set, "5"), ("retention.ms", Delete, null)])).ErrorCode);
        var unknown = await IncrementalAsync(client, TopicResource, "inc-strict", ops: ("retention.msec", Delete, null));
        Assert.Equal((short)ErrorCode.InvalidConfig, unknown.ErrorCode);
        Assert.Contains("retention.ms", unknown.ErrorMessage);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition,
            (await IncrementalAsync(client, TopicResource, "inc-missing", ops: ("retention.ms", Set, "5"))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest,
            (await IncrementalAsync(client, BrokerResource, "1", ops: ("num.partitions", Set, "5"))).ErrorCode);
        Assert.All((await DescribeAsync(client, TopicResource, "inc-strict")).Configs, c => Assert.NotEqual(1, c.ConfigSource));
    }

    [Fact]
    public async Task LogAppendTime_set_at_run_time_overwrites_the_timestamps_consumers_see()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "stamped");
        long old = Now - 3_600_000;
        var before = await ProduceAsync(client, "stamped", 0, BatchAt(old));
        Assert.Equal(-1, before.LogAppendTimeMs);

        Assert.Equal(0, (await IncrementalAsync(client, TopicResource, "stamped", ops: ("message.timestamp.type", Set, "LogAppendTime"))).ErrorCode);
        long start = Now;
        var after = await ProduceAsync(client, "stamped", 0, BatchAt(old));
        Assert.Equal(0, after.ErrorCode);
        Assert.InRange(after.LogAppendTimeMs, start - 1000, Now + 1000);

        var fetched = await FetchAsync(client, "stamped", 0, 1);
        ReadOnlySpan<byte> batch = fetched.Records!.Value.Span;
        Assert.Equal(1, BinaryPrimitives.ReadInt64BigEndian(batch));
        Assert.NotEqual(0, BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.Attributes..]) & RecordBatchLayout.TimestampTypeFlag);
        Assert.Equal(after.LogAppendTimeMs, BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.MaxTimestamp..]));
        var first = await FetchAsync(client, "stamped", 0, 0);
        Assert.Equal(old, BinaryPrimitives.ReadInt64BigEndian(first.Records!.Value.Span[RecordBatchLayout.MaxTimestamp..]));
    }

    [Fact]
    public async Task Timestamp_bounds_refuse_records_too_old_or_too_far_ahead_with_INVALID_TIMESTAMP()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "bounded");
        // Kafka 4.0's default after.max.ms is one hour; before.max.ms is unlimited.
        Assert.Equal(0, (await ProduceAsync(client, "bounded", 0, BatchAt(Now - 30L * 24 * 3_600_000))).ErrorCode);
        var ahead = await ProduceAsync(client, "bounded", 0, BatchAt(Now + 2 * 3_600_000));
        Assert.Equal((short)ErrorCode.InvalidTimestamp, ahead.ErrorCode);
        Assert.Contains("out of range", ahead.ErrorMessage);

        Assert.Equal(0, (await IncrementalAsync(client, TopicResource, "bounded", ops: ("message.timestamp.before.max.ms", Set, "60000"))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTimestamp, (await ProduceAsync(client, "bounded", 0, BatchAt(Now - 3_600_000))).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, "bounded", 0, BatchAt(Now))).ErrorCode);

        // The pre-4.0 difference.max.ms bounds both sides when before/after are not set.
        Assert.Equal(0, (await AlterAsync(client, TopicResource, "bounded", configs: ("message.timestamp.difference.max.ms", "600000"))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTimestamp, (await ProduceAsync(client, "bounded", 0, BatchAt(Now - 3_600_000))).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTimestamp, (await ProduceAsync(client, "bounded", 0, BatchAt(Now + 1_800_000))).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, "bounded", 0, BatchAt(Now - 60_000))).ErrorCode);

        // LogAppendTime topics are not checked: the broker's clock replaces the timestamps.
        Assert.Equal(0, (await AlterAsync(client, TopicResource, "bounded",
            configs: [("message.timestamp.before.max.ms", "1000"), ("message.timestamp.type", "LogAppendTime")])).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, "bounded", 0, BatchAt(Now - 3_600_000))).ErrorCode);
    }

    [Fact]
    public async Task Dynamic_broker_configs_layer_cluster_default_under_per_broker_under_topic_overrides()
    {
        await using var client = await ConnectAsync();
        await CreateTopicAsync(client, "inherits");
        await CreateTopicAsync(client, "overrides", 1, ("max.message.bytes", "100000"));

        var clusterWide = await IncrementalAsync(client, BrokerResource, "", ops: ("message.max.bytes", Set, "2000"));
        Assert.Equal(0, clusterWide.ErrorCode);
        Assert.Equal((short)ErrorCode.MessageTooLarge, (await ProduceAsync(client, "inherits", 0, BatchAt(Now, 3000))).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, "overrides", 0, BatchAt(Now, 3000))).ErrorCode);
        var topic = Config(await DescribeAsync(client, TopicResource, "inherits", ["max.message.bytes"], synonyms: true), "max.message.bytes");
        Assert.Equal(("2000", (sbyte)3), (topic.Value, topic.ConfigSource)); // DYNAMIC_DEFAULT_BROKER_CONFIG
        var defaults = await DescribeAsync(client, BrokerResource, "");
        Assert.Equal([("message.max.bytes", "2000", (sbyte)3)], defaults.Configs.Select(c => (c.Name, c.Value, c.ConfigSource)));

        Assert.Equal(0, (await AlterAsync(client, BrokerResource, "1", configs: ("message.max.bytes", "5000"))).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, "inherits", 0, BatchAt(Now, 3000))).ErrorCode);
        topic = Config(await DescribeAsync(client, TopicResource, "inherits", ["max.message.bytes"], synonyms: true), "max.message.bytes");
        Assert.Equal(("5000", (sbyte)2), (topic.Value, topic.ConfigSource)); // DYNAMIC_BROKER_CONFIG
        Assert.Equal([(sbyte)2, (sbyte)3, (sbyte)5], topic.Synonyms.Select(s => s.Source));
        var broker = Config(await DescribeAsync(client, BrokerResource, "1", ["message.max.bytes"]), "message.max.bytes");
        Assert.Equal(("5000", (sbyte)2), (broker.Value, broker.ConfigSource));

        // validate_only on the broker changes nothing; deleting the per-broker value falls back to the cluster default.
        Assert.Equal(0, (await IncrementalAsync(client, BrokerResource, "1", validateOnly: true, ops: ("message.max.bytes", Delete, null))).ErrorCode);
        Assert.Equal(0, (await ProduceAsync(client, "inherits", 0, BatchAt(Now, 3000))).ErrorCode);
        Assert.Equal(0, (await IncrementalAsync(client, BrokerResource, "1", ops: ("message.max.bytes", Delete, null))).ErrorCode);
        Assert.Equal((short)ErrorCode.MessageTooLarge, (await ProduceAsync(client, "inherits", 0, BatchAt(Now, 3000))).ErrorCode);
    }

    [Fact]
    public async Task Topic_and_dynamic_broker_configs_survive_a_restart()
    {
        await using (var client = await ConnectAsync())
        {
            await CreateTopicAsync(client, "kept-configs");
            Assert.Equal(0, (await IncrementalAsync(client, TopicResource, "kept-configs", ops: ("max.message.bytes", Set, "1500"))).ErrorCode);
            Assert.Equal(0, (await IncrementalAsync(client, BrokerResource, "", ops: ("log.segment.bytes", Set, "2097152"))).ErrorCode);
            Assert.Equal(0, (await IncrementalAsync(client, BrokerResource, "1", ops: ("log.message.timestamp.type", Set, "LogAppendTime"))).ErrorCode);
        }

        await Broker.RestartAsync();

        await using var after = await ConnectAsync();
        var topic = await DescribeAsync(after, TopicResource, "kept-configs", ["max.message.bytes", "segment.bytes", "message.timestamp.type"]);
        Assert.Equal(("1500", (sbyte)1), (Config(topic, "max.message.bytes").Value, Config(topic, "max.message.bytes").ConfigSource));
        Assert.Equal(("2097152", (sbyte)3), (Config(topic, "segment.bytes").Value, Config(topic, "segment.bytes").ConfigSource));
        Assert.Equal(("LogAppendTime", (sbyte)2), (Config(topic, "message.timestamp.type").Value, Config(topic, "message.timestamp.type").ConfigSource));
        Assert.Equal((short)ErrorCode.MessageTooLarge, (await ProduceAsync(after, "kept-configs", 0, BatchAt(Now, 2000))).ErrorCode);
        Assert.NotEqual(-1, (await ProduceAsync(after, "kept-configs", 0, BatchAt(Now - 100_000))).LogAppendTimeMs);
        Assert.Equal(["log.segment.bytes"], (await DescribeAsync(after, BrokerResource, "")).Configs.Select(c => c.Name));
    }
}
