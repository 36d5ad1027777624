using Rill.Protocol.Messages;

namespace Rill.Protocol.Tests;

/// <summary>Byte-exact encodings worked out by hand from the Kafka protocol guide, checked both ways.</summary>
public class GoldenBytesTests
{
    private static byte[] Write(IApiMessage message, short version)
    {
        byte[] buffer = new byte[message.ComputeSize(version)];
        var writer = new ProtocolWriter(buffer);
        message.Write(ref writer, version);
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

    [Fact]
    public void ApiVersions_v0_request_is_empty_and_v3_carries_compact_client_software_fields()
    {
        Assert.Empty(Write(new ApiVersionsRequest { ClientSoftwareName = "x", ClientSoftwareVersion = "y" }, 0));
        byte[] v3 =
        [
            0x03, (byte)'r', (byte)'d',      // compact string "rd": length + 1
            0x04, (byte)'2', (byte)'.', (byte)'0',
            0x00,                            // no tagged fields
        ];
        Assert.Equal(v3, Write(new ApiVersionsRequest { ClientSoftwareName = "rd", ClientSoftwareVersion = "2.0" }, 3));
        var parsed = Read<ApiVersionsRequest>(v3, 3);
        Assert.Equal(("rd", "2.0"), (parsed.ClientSoftwareName, parsed.ClientSoftwareVersion));
    }

    [Fact]
    public void ApiVersions_v0_response()
    {
        byte[] bytes =
        [
            0x00, 0x00,                      // error code
            0x00, 0x00, 0x00, 0x01,          // one api key (int32 array length)
            0x00, 0x12, 0x00, 0x00, 0x00, 0x04, // ApiVersions 0-4
        ];
        var response = new ApiVersionsResponse { ApiKeys = [new() { ApiKey = 18, MinVersion = 0, MaxVersion = 4 }] };
        Assert.Equal(bytes, Write(response, 0));
        var parsed = Read<ApiVersionsResponse>(bytes, 0);
        Assert.Equal((18, 0, 4), (parsed.ApiKeys[0].ApiKey, parsed.ApiKeys[0].MinVersion, parsed.ApiKeys[0].MaxVersion));
    }

    [Fact]
    public void Metadata_v1_null_topics_and_v9_flexible_single_topic()
    {
        byte[] v1 = [0xFF, 0xFF, 0xFF, 0xFF];   // null array: all topics
        Assert.Equal(v1, Write(new MetadataRequest { Topics = null }, 1));
        Assert.Null(Read<MetadataRequest>(v1, 1).Topics);

        byte[] v9 =
        [
            0x02,                            // compact array of 1
            0x02, (byte)'t',                 // compact string "t"
            0x00,                            // topic's tagged fields
            0x01,                            // AllowAutoTopicCreation
            0x00,                            // IncludeClusterAuthorizedOperations (v8-10)
            0x01,                            // IncludeTopicAuthorizedOperations
            0x00,                            // tagged fields
        ];
        var request = new MetadataRequest { Topics = [new() { Name = "t" }], AllowAutoTopicCreation = true, IncludeTopicAuthorizedOperations = true };
        Assert.Equal(v9, Write(request, 9));
        var parsed = Read<MetadataRequest>(v9, 9);
        Assert.Equal("t", parsed.Topics![0].Name);
        Assert.True(parsed.AllowAutoTopicCreation && parsed.IncludeTopicAuthorizedOperations);
    }

    [Fact]
    public void Produce_v3_request_with_one_partition()
    {
        byte[] records = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        byte[] bytes =
        [
            0xFF, 0xFF,                      // TransactionalId null (int16 -1)
            0xFF, 0xFF,                      // acks -1
            0x00, 0x00, 0x75, 0x30,          // timeout 30000
            0x00, 0x00, 0x00, 0x01,          // one topic
            0x00, 0x01, (byte)'p',           // "p"
            0x00, 0x00, 0x00, 0x01,          // one partition
            0x00, 0x00, 0x00, 0x02,          // index 2
            0x00, 0x00, 0x00, 0x0A,          // records: 10 bytes
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ];
        var request = new ProduceRequest { TransactionalId = null, Acks = -1, TimeoutMs = 30000 };
        request.TopicData.Add(new() { Name = "p", PartitionData = [new() { Index = 2, Records = records }] });
        Assert.Equal(bytes, Write(request, 3));
        var parsed = Read<ProduceRequest>(bytes, 3);
        Assert.Equal(records, parsed.TopicData[0].PartitionData[0].Records!.Value.ToArray());
    }

    [Fact]
    public void Fetch_v4_request_with_one_partition()
    {
        byte[] bytes =
        [
            0xFF, 0xFF, 0xFF, 0xFF,          // replica id -1
            0x00, 0x00, 0x01, 0xF4,          // max wait 500
            0x00, 0x00, 0x00, 0x01,          // min bytes 1
            0x00, 0x10, 0x00, 0x00,          // max bytes 1 MiB
            0x00,                            // isolation level
            0x00, 0x00, 0x00, 0x01, 0x00, 0x01, (byte)'f',
            0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x00,          // partition 0
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A, // fetch offset 42
            0x00, 0x10, 0x00, 0x00,          // partition max bytes
        ];
        var request = new FetchRequest { ReplicaId = -1, MaxWaitMs = 500, MinBytes = 1, MaxBytes = 1 << 20 };
        request.Topics.Add(new() { Topic = "f", Partitions = [new() { Partition = 0, FetchOffset = 42, PartitionMaxBytes = 1 << 20 }] });
        Assert.Equal(bytes, Write(request, 4));
        Assert.Equal(42, Read<FetchRequest>(bytes, 4).Topics[0].Partitions[0].FetchOffset);
    }

    [Fact]
    public void Request_header_v1_null_client_id_and_v2_keeps_unknown_tagged_fields()
    {
        var header = new RequestHeader { RequestApiKey = 3, RequestApiVersion = 1, CorrelationId = 7, ClientId = null };
        byte[] v1 = new byte[header.ComputeSize(1)];
        var w = new ProtocolWriter(v1);
        header.Write(ref w, 1);
        Assert.Equal(new byte[] { 0, 3, 0, 1, 0, 0, 0, 7, 0xFF, 0xFF }, v1);

        byte[] v2 = [0, 3, 0, 12, 0, 0, 0, 9, 0, 1, (byte)'c', 0x02, 0x05, 0x01, 0xAA, 0x09, 0x02, 0xBB, 0xCC];
        var parsed = new RequestHeader();
        var reader = new ProtocolReader(v2);
        parsed.Read(ref reader, 2);
        Assert.Equal(("c", 2), (parsed.ClientId, parsed.UnknownTaggedFields!.Count));
        byte[] again = new byte[parsed.ComputeSize(2)];
        var w2 = new ProtocolWriter(again);
        parsed.Write(ref w2, 2);
        Assert.Equal(v2, again);
    }

    [Fact]
    public void Response_header_v1_is_correlation_id_and_an_empty_tag_section()
    {
        var header = new ResponseHeader { CorrelationId = 258 };
        byte[] bytes = new byte[header.ComputeSize(1)];
        var w = new ProtocolWriter(bytes);
        header.Write(ref w, 1);
        Assert.Equal(new byte[] { 0, 0, 1, 2, 0 }, bytes);
        Assert.Equal(0, ApiMessageVersions.ResponseHeaderVersion(ApiKey.ApiVersions, 3));
        Assert.Equal(1, ApiMessageVersions.ResponseHeaderVersion(ApiKey.Metadata, 9));
        Assert.Equal(2, ApiMessageVersions.RequestHeaderVersion(ApiKey.Produce, 9));
        Assert.Equal(1, ApiMessageVersions.RequestHeaderVersion(ApiKey.Produce, 8));
    }
}
