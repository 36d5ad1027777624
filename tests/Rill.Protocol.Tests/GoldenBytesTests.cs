using Rill.Protocol.Messages;

namespace Rill.Protocol.Tests;

/// <summary>
/// Byte-exact encodings worked out by hand from the Kafka protocol guide (field order and types per
/// version, KIP-482 compact encodings), checked both ways: Write gives the bytes, Read gives the values.
/// </summary>
public class GoldenBytesTests
{
    private static byte[] Write(IApiMessage message, short version)
    {
        byte[] buffer = new byte[message.ComputeSize(version)];
        var writer = new ProtocolWriter(buffer);
        message.Write(ref writer, version);
        Assert.Equal(buffer.Length, writer.Position);
        return buffer;
    }

    private static T Read<T>(byte[] bytes, short version) where T : IApiMessage, new()
    {
        var message = new T();
        var reader = new ProtocolReader(bytes);
        message.Read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        return message;
    }

    private static byte[] Frame(RequestHeader header, short headerVersion, IApiMessage body, short version)
    {
        byte[] buffer = new byte[header.ComputeSize(headerVersion) + body.ComputeSize(version)];
        var writer = new ProtocolWriter(buffer);
        header.Write(ref writer, headerVersion);
        body.Write(ref writer, version);
        Assert.Equal(buffer.Length, writer.Position);
        return buffer;
    }

    private static (RequestHeader Header, T Body) ReadFrame<T>(byte[] bytes, short headerVersion, short version) where T : IApiMessage, new()
    {
        var reader = new ProtocolReader(bytes);
        var header = new RequestHeader();
        header.Read(ref reader, headerVersion);
        var body = new T();
        body.Read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        return (header, body);
    }

    [Fact]
    public void ApiVersions_v0_request_has_an_empty_body()
    {
        Assert.Empty(Write(new ApiVersionsRequest { ClientSoftwareName = "x", ClientSoftwareVersion = "y" }, 0));
        var parsed = Read<ApiVersionsRequest>([], 0);
        Assert.Equal(("", ""), (parsed.ClientSoftwareName, parsed.ClientSoftwareVersion));
    }

    [Fact]
    public void ApiVersions_v3_request_with_header_v2()
    {
        byte[] bytes =
        [
            0x00, 0x12,                      // request_api_key 18
            0x00, 0x03,                      // request_api_version 3
            0x00, 0x00, 0x00, 0x01,          // correlation_id 1
            0x00, 0x02, (byte)'i', (byte)'d', // client_id: classic int16-length string even in header v2
            0x00,                            // header tagged fields: none
            0x03, (byte)'r', (byte)'d',      // client_software_name: compact string, length + 1
            0x04, (byte)'2', (byte)'.', (byte)'0', // client_software_version
            0x00,                            // body tagged fields: none
        ];
        Assert.Equal(2, ApiMessageVersions.RequestHeaderVersion(ApiKey.ApiVersions, 3));
        var header = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 3, CorrelationId = 1, ClientId = "id" };
        Assert.Equal(bytes, Frame(header, 2, new ApiVersionsRequest { ClientSoftwareName = "rd", ClientSoftwareVersion = "2.0" }, 3));
        var (h, body) = ReadFrame<ApiVersionsRequest>(bytes, 2, 3);
        Assert.Equal((18, 3, 1, "id"), (h.RequestApiKey, h.RequestApiVersion, h.CorrelationId, h.ClientId));
        Assert.Null(h.UnknownTaggedFields);
        Assert.Equal(("rd", "2.0"), (body.ClientSoftwareName, body.ClientSoftwareVersion));
    }

    [Fact]
    public void ApiVersions_v0_response_with_one_api_key()
    {
        byte[] bytes =
        [
            0x00, 0x00,                      // error_code 0
            0x00, 0x00, 0x00, 0x01,          // api_keys: int32 array length 1
            0x00, 0x12,                      //   api_key 18
            0x00, 0x00,                      //   min_version 0
            0x00, 0x04,                      //   max_version 4
        ];                                   // v0 has no throttle_time_ms
        var response = new ApiVersionsResponse { ThrottleTimeMs = 99, ApiKeys = [new() { ApiKey = 18, MinVersion = 0, MaxVersion = 4 }] };
        Assert.Equal(bytes, Write(response, 0));
        var parsed = Read<ApiVersionsResponse>(bytes, 0);
        Assert.Equal(0, parsed.ErrorCode);
        Assert.Equal(0, parsed.ThrottleTimeMs);
        Assert.Equal((18, 0, 4), (parsed.ApiKeys.Single().ApiKey, parsed.ApiKeys[0].MinVersion, parsed.ApiKeys[0].MaxVersion));
    }

    [Fact]
    public void ApiVersions_v3_response_puts_supported_features_in_tag_0()
    {
        byte[] bytes =
        [
            0x00, 0x00,                      // error_code
            0x02,                            // api_keys: compact array of 1
            0x00, 0x03, 0x00, 0x00, 0x00, 0x0C, // Metadata 0-12
            0x00,                            //   entry tagged fields
            0x00, 0x00, 0x00, 0x00,          // throttle_time_ms
            0x01,                            // one tagged field
            0x00,                            //   tag 0: supported_features
            0x08,                            //   size 8
            0x02,                            //     compact array of 1
            0x02, (byte)'f',                 //     name "f"
            0x00, 0x01, 0x00, 0x02,          //     min 1, max 2
            0x00,                            //     entry tagged fields
        ];
        var response = new ApiVersionsResponse { ApiKeys = [new() { ApiKey = 3, MinVersion = 0, MaxVersion = 12 }], SupportedFeatures = [new() { Name = "f", MinVersion = 1, MaxVersion = 2 }] };
        Assert.Equal(bytes, Write(response, 3));
        var parsed = Read<ApiVersionsResponse>(bytes, 3);
        Assert.Equal(("f", 1, 2), (parsed.SupportedFeatures.Single().Name, parsed.SupportedFeatures[0].MinVersion, parsed.SupportedFeatures[0].MaxVersion));
        Assert.Equal(-1, parsed.FinalizedFeaturesEpoch);   // absent tag keeps its default
    }

    [Fact]
    public void Metadata_v1_request_with_a_null_topic_array_means_all_topics()
    {
        byte[] bytes = [0xFF, 0xFF, 0xFF, 0xFF];   // topics: int32 -1 (null); v1 has no other field
        Assert.Equal(bytes, Write(new MetadataRequest { Topics = null }, 1));
        Assert.Null(Read<MetadataRequest>(bytes, 1).Topics);
        Assert.Equal([0x00, 0x00, 0x00, 0x00], Write(new MetadataRequest { Topics = [] }, 1));   // empty: no topics
        Assert.Empty(Read<MetadataRequest>([0x00, 0x00, 0x00, 0x00], 1).Topics!);
    }

    [Fact]
    public void Metadata_v9_flexible_request_with_one_topic_and_header_v2()
    {
        byte[] bytes =
        [
            0x00, 0x03, 0x00, 0x09,          // Metadata v9
            0x00, 0x00, 0x01, 0x00,          // correlation_id 256
            0xFF, 0xFF,                      // client_id null
            0x00,                            // header tagged fields
            0x02,                            // topics: compact array of 1
            0x02, (byte)'t',                 //   name: compact string "t"
            0x00,                            //   topic tagged fields
            0x01,                            // allow_auto_topic_creation true
            0x00,                            // include_cluster_authorized_operations false (v8-10)
            0x01,                            // include_topic_authorized_operations true
            0x00,                            // body tagged fields
        ];
        Assert.Equal(2, ApiMessageVersions.RequestHeaderVersion(ApiKey.Metadata, 9));
        var header = new RequestHeader { RequestApiKey = 3, RequestApiVersion = 9, CorrelationId = 256, ClientId = null };
        var request = new MetadataRequest { Topics = [new() { Name = "t" }], AllowAutoTopicCreation = true, IncludeTopicAuthorizedOperations = true };
        Assert.Equal(bytes, Frame(header, 2, request, 9));
        var (h, body) = ReadFrame<MetadataRequest>(bytes, 2, 9);
        Assert.Equal((3, 9, 256, (string?)null), (h.RequestApiKey, h.RequestApiVersion, h.CorrelationId, h.ClientId));
        Assert.Equal("t", body.Topics!.Single().Name);
        Assert.True(body.AllowAutoTopicCreation);
        Assert.False(body.IncludeClusterAuthorizedOperations);
        Assert.True(body.IncludeTopicAuthorizedOperations);
    }

    [Fact]
    public void Produce_v3_request_header_and_body_with_one_partition()
    {
        byte[] records = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        byte[] bytes =
        [
            0x00, 0x00,                      // request_api_key 0 (Produce)
            0x00, 0x03,                      // request_api_version 3
            0x00, 0x00, 0x00, 0x2A,          // correlation_id 42
            0x00, 0x03, (byte)'c', (byte)'l', (byte)'i', // client_id "cli"
                                             // header v1: no tagged fields
            0xFF, 0xFF,                      // transactional_id null (int16 -1)
            0xFF, 0xFF,                      // acks -1
            0x00, 0x00, 0x75, 0x30,          // timeout_ms 30000
            0x00, 0x00, 0x00, 0x01,          // topic_data: 1 topic
            0x00, 0x01, (byte)'p',           //   name "p"
            0x00, 0x00, 0x00, 0x01,          //   partition_data: 1 partition
            0x00, 0x00, 0x00, 0x02,          //     index 2
            0x00, 0x00, 0x00, 0x0A,          //     records: int32 length 10
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ];
        Assert.Equal(1, ApiMessageVersions.RequestHeaderVersion(ApiKey.Produce, 3));
        var header = new RequestHeader { RequestApiKey = 0, RequestApiVersion = 3, CorrelationId = 42, ClientId = "cli" };
        var request = new ProduceRequest { TransactionalId = null, Acks = -1, TimeoutMs = 30000 };
        request.TopicData.Add(new() { Name = "p", PartitionData = [new() { Index = 2, Records = records }] });
        Assert.Equal(bytes, Frame(header, 1, request, 3));
        var (h, body) = ReadFrame<ProduceRequest>(bytes, 1, 3);
        Assert.Equal((0, 3, 42, "cli"), (h.RequestApiKey, h.RequestApiVersion, h.CorrelationId, h.ClientId));
        Assert.Null(body.TransactionalId);
        Assert.Equal((-1, 30000), (body.Acks, body.TimeoutMs));
        Assert.Equal("p", body.TopicData.Single().Name);
        Assert.Equal(2, body.TopicData[0].PartitionData.Single().Index);
        Assert.Equal(records, body.TopicData[0].PartitionData[0].Records!.Value.ToArray());
    }

    [Fact]
    public void Fetch_v4_request_with_one_partition()
    {
        byte[] bytes =
        [
            0xFF, 0xFF, 0xFF, 0xFF,          // replica_id -1 (a consumer)
            0x00, 0x00, 0x01, 0xF4,          // max_wait_ms 500
            0x00, 0x00, 0x00, 0x01,          // min_bytes 1
            0x00, 0x10, 0x00, 0x00,          // max_bytes 1 MiB (v3+)
            0x01,                            // isolation_level 1: read_committed (v4+)
            0x00, 0x00, 0x00, 0x01,          // topics: 1
            0x00, 0x01, (byte)'f',           //   topic "f"
            0x00, 0x00, 0x00, 0x01,          //   partitions: 1
            0x00, 0x00, 0x00, 0x07,          //     partition 7
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A, // fetch_offset 42
            0x00, 0x08, 0x00, 0x00,          //     partition_max_bytes 512 KiB
        ];                                   // v4: no log_start_offset (v5), sessions (v7), rack (v11)
        var request = new FetchRequest { ReplicaId = -1, MaxWaitMs = 500, MinBytes = 1, MaxBytes = 1 << 20, IsolationLevel = 1 };
        request.Topics.Add(new() { Topic = "f", Partitions = [new() { Partition = 7, FetchOffset = 42, PartitionMaxBytes = 512 << 10 }] });
        Assert.Equal(bytes, Write(request, 4));
        var parsed = Read<FetchRequest>(bytes, 4);
        Assert.Equal((-1, 500, 1, 1 << 20, (sbyte)1), (parsed.ReplicaId, parsed.MaxWaitMs, parsed.MinBytes, parsed.MaxBytes, parsed.IsolationLevel));
        var partition = parsed.Topics.Single().Partitions.Single();
        Assert.Equal(("f", 7, 42L, 512 << 10), (parsed.Topics[0].Topic, partition.Partition, partition.FetchOffset, partition.PartitionMaxBytes));
        Assert.Equal(-1, partition.LogStartOffset);   // not in v4: default
    }

    [Fact]
    public void Fetch_v12_keeps_unknown_tags_in_order_around_a_known_one()
    {
        // Tag 1 is ReplicaState only from v15, so at v12 it is unknown and must be written back
        // between the known tag 0 (ClusterId) and the unknown tag 7.
        byte[] bytes =
        [
            0xFF, 0xFF, 0xFF, 0xFF,          // replica_id -1
            0x00, 0x00, 0x01, 0xF4,          // max_wait_ms 500
            0x00, 0x00, 0x00, 0x01,          // min_bytes 1
            0x00, 0x10, 0x00, 0x00,          // max_bytes
            0x00,                            // isolation_level
            0x00, 0x00, 0x00, 0x00,          // session_id 0
            0xFF, 0xFF, 0xFF, 0xFF,          // session_epoch -1
            0x01,                            // topics: compact empty
            0x01,                            // forgotten_topics_data: compact empty
            0x01,                            // rack_id ""
            0x03,                            // three tagged fields
            0x00, 0x02, 0x02, (byte)'c',     //   tag 0 size 2: cluster_id "c"
            0x01, 0x01, 0xAA,                //   tag 1 size 1: unknown at v12
            0x07, 0x00,                      //   tag 7 size 0: unknown
        ];
        var parsed = Read<FetchRequest>(bytes, 12);
        Assert.Equal("c", parsed.ClusterId);
        Assert.Null(parsed.ReplicaState);
        Assert.Equal([(1, "AA"), (7, "")], parsed.UnknownTaggedFields!.Select(f => (f.Tag, Convert.ToHexString(f.Data.Span))));
        Assert.Equal(bytes, Write(parsed, 12));
    }

    [Fact]
    public void Response_header_v1_is_correlation_id_and_an_empty_tag_section()
    {
        byte[] bytes = [0x00, 0x00, 0x01, 0x02, 0x00];   // correlation_id 258, no tagged fields
        var header = new ResponseHeader { CorrelationId = 258 };
        byte[] written = new byte[header.ComputeSize(1)];
        var w = new ProtocolWriter(written);
        header.Write(ref w, 1);
        Assert.Equal(bytes, written);
        var parsed = new ResponseHeader();
        var reader = new ProtocolReader(bytes);
        parsed.Read(ref reader, 1);
        Assert.Equal((258, 0), (parsed.CorrelationId, reader.Remaining));
        Assert.Null(parsed.UnknownTaggedFields);

        byte[] v0 = new byte[header.ComputeSize(0)];
        var w0 = new ProtocolWriter(v0);
        header.Write(ref w0, 0);
        Assert.Equal(bytes[..4], v0);
    }

    [Theory]
    [InlineData(ApiKey.ApiVersions, 3, 2, 0)]   // KIP-511: ApiVersions responses stay header v0
    [InlineData(ApiKey.ApiVersions, 2, 1, 0)]
    [InlineData(ApiKey.Metadata, 9, 2, 1)]
    [InlineData(ApiKey.Metadata, 8, 1, 0)]
    [InlineData(ApiKey.Produce, 9, 2, 1)]
    [InlineData(ApiKey.Produce, 8, 1, 0)]
    [InlineData(ApiKey.Fetch, 12, 2, 1)]
    [InlineData(ApiKey.Fetch, 11, 1, 0)]
    [InlineData(ApiKey.SaslHandshake, 1, 1, 0)]
    [InlineData(ApiKey.ControlledShutdown, 0, 0, 0)]
    public void Header_versions_follow_flexible_versions(ApiKey key, short version, short requestHeader, short responseHeader)
    {
        Assert.Equal(requestHeader, ApiMessageVersions.RequestHeaderVersion(key, version));
        Assert.Equal(responseHeader, ApiMessageVersions.ResponseHeaderVersion(key, version));
    }
}
