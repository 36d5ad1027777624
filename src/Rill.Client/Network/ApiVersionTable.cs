using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client.Network;

/// <summary>The API versions a broker advertised, and the highest one both sides speak.</summary>
internal sealed class ApiVersionTable
{
    private readonly short[] _min = new short[128];
    private readonly short[] _max = new short[128];

    public ApiVersionTable(ApiVersionsResponse response)
    {
        Array.Fill(_min, (short)-1);
        Array.Fill(_max, (short)-1);
        foreach (var api in response.ApiKeys)
        {
            if ((uint)api.ApiKey < 128)
            {
                _min[api.ApiKey] = api.MinVersion;
                _max[api.ApiKey] = api.MaxVersion;
            }
        }
    }

    public bool Supports(ApiKey key) => _max[(int)key] >= 0;

    public short BrokerMax(ApiKey key) => _max[(int)key];

    /// <summary>Highest version in both ranges; UNSUPPORTED_VERSION when they do not meet.</summary>
    public short Pick(ApiKey key)
    {
        (short ourMin, short ourMax) = ClientVersions.Range(key);
        short brokerMin = _min[(int)key], brokerMax = _max[(int)key];
        short version = Math.Min(ourMax, brokerMax);
        if (brokerMax < 0 || version < ourMin || version < brokerMin)
        {
            throw new KafkaException(ErrorCode.UnsupportedVersion,
                $"The broker serves {key} {(brokerMax < 0 ? "not at all" : $"v{brokerMin}-{brokerMax}")}; this client speaks v{ourMin}-{ourMax}.");
        }
        return version;
    }
}

/// <summary>The versions this client encodes per API (capped where a later version changes the shape we use).</summary>
internal static class ClientVersions
{
    public static (short Min, short Max) Range(ApiKey key) => key switch
    {
        ApiKey.Produce => (3, 11),               // v12 means transactions v2 (KIP-890), which this client does not speak
        ApiKey.Fetch => (4, 12),                 // v13+ address topics by id
        ApiKey.ListOffsets => (1, ListOffsetsRequest.HighestSupportedVersion),
        ApiKey.Metadata => (1, MetadataRequest.HighestSupportedVersion),
        ApiKey.OffsetCommit => (2, OffsetCommitRequest.HighestSupportedVersion),
        ApiKey.OffsetFetch => (1, 7),            // v8+ batch several groups
        ApiKey.FindCoordinator => (0, 3),        // v4+ batch several keys
        ApiKey.JoinGroup => (2, JoinGroupRequest.HighestSupportedVersion),
        ApiKey.Heartbeat => (0, HeartbeatRequest.HighestSupportedVersion),
        ApiKey.LeaveGroup => (0, LeaveGroupRequest.HighestSupportedVersion),
        ApiKey.SyncGroup => (0, SyncGroupRequest.HighestSupportedVersion),
        ApiKey.DescribeGroups => (0, DescribeGroupsRequest.HighestSupportedVersion),
        ApiKey.ListGroups => (0, ListGroupsRequest.HighestSupportedVersion),
        ApiKey.ApiVersions => (0, 3),
        ApiKey.CreateTopics => (2, CreateTopicsRequest.HighestSupportedVersion),
        ApiKey.DeleteTopics => (1, 5),           // v6 addresses topics by id or name in a new shape
        ApiKey.DeleteRecords => (0, DeleteRecordsRequest.HighestSupportedVersion),
        ApiKey.InitProducerId => (0, InitProducerIdRequest.HighestSupportedVersion),
        ApiKey.DescribeConfigs => (1, DescribeConfigsRequest.HighestSupportedVersion),
        ApiKey.DescribeAcls => (1, DescribeAclsRequest.HighestSupportedVersion), // v0 has no pattern types
        ApiKey.CreateAcls => (1, CreateAclsRequest.HighestSupportedVersion),
        ApiKey.DeleteAcls => (1, DeleteAclsRequest.HighestSupportedVersion),
        ApiKey.CreatePartitions => (0, CreatePartitionsRequest.HighestSupportedVersion),
        ApiKey.DeleteGroups => (0, DeleteGroupsRequest.HighestSupportedVersion),
        ApiKey.IncrementalAlterConfigs => (0, IncrementalAlterConfigsRequest.HighestSupportedVersion),
        ApiKey.DescribeCluster => (0, DescribeClusterRequest.HighestSupportedVersion),
        ApiKey.DescribeClientQuotas => (0, DescribeClientQuotasRequest.HighestSupportedVersion),
        ApiKey.AlterClientQuotas => (0, AlterClientQuotasRequest.HighestSupportedVersion),
        ApiKey.AddPartitionsToTxn => (0, 3),     // v4+ is the brokers' batched verification form
        ApiKey.AddOffsetsToTxn => (0, AddOffsetsToTxnRequest.HighestSupportedVersion),
        ApiKey.EndTxn => (0, 4),                 // v5 is transactions v2 (epoch bump per transaction)
        ApiKey.TxnOffsetCommit => (0, TxnOffsetCommitRequest.HighestSupportedVersion),
        ApiKey.ListTransactions => (0, ListTransactionsRequest.HighestSupportedVersion),
        ApiKey.DescribeTransactions => (0, DescribeTransactionsRequest.HighestSupportedVersion),
        ApiKey.DescribeProducers => (0, DescribeProducersRequest.HighestSupportedVersion),
        ApiKey.ElectLeaders => (0, ElectLeadersRequest.HighestSupportedVersion),
        ApiKey.AlterPartitionReassignments => (0, 0),
        ApiKey.ListPartitionReassignments => (0, 0),
        ApiKey.WriteTxnMarkers => (0, WriteTxnMarkersRequest.HighestSupportedVersion),
        ApiKey.ConsumerGroupHeartbeat => (0, ConsumerGroupHeartbeatRequest.HighestSupportedVersion),
        ApiKey.SaslHandshake => (1, 1),
        ApiKey.SaslAuthenticate => (0, 2),
        ApiKey.DescribeUserScramCredentials => (0, 0),
        ApiKey.AlterUserScramCredentials => (0, 0),
        _ => throw new KafkaException(ErrorCode.UnsupportedVersion, $"This client does not speak {key}."),
    };
}
