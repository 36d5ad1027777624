namespace Rill.Protocol;

/// <summary>
/// Which versions of each API are flexible (KIP-482), and so which header versions they use.
/// Known for every API key, also the ones Rill does not serve, so a header can always be parsed.
/// </summary>
public static class ApiMessageVersions
{
    private const short Never = short.MaxValue;
    private static readonly short[] FirstFlexible = Build();

    private static short[] Build()
    {
        var table = new short[128];
        Array.Fill(table, Never);
        void Set(ApiKey key, short version) => table[(int)key] = version;
        Set(ApiKey.Produce, 9); Set(ApiKey.Fetch, 12); Set(ApiKey.ListOffsets, 6); Set(ApiKey.Metadata, 9);
        Set(ApiKey.LeaderAndIsr, 4); Set(ApiKey.StopReplica, 2); Set(ApiKey.UpdateMetadata, 6); Set(ApiKey.ControlledShutdown, 3);
        Set(ApiKey.OffsetCommit, 8); Set(ApiKey.OffsetFetch, 6); Set(ApiKey.FindCoordinator, 3); Set(ApiKey.JoinGroup, 6);
        Set(ApiKey.Heartbeat, 4); Set(ApiKey.LeaveGroup, 4); Set(ApiKey.SyncGroup, 4); Set(ApiKey.DescribeGroups, 5);
        Set(ApiKey.ListGroups, 3); Set(ApiKey.ApiVersions, 3); Set(ApiKey.CreateTopics, 5); Set(ApiKey.DeleteTopics, 4);
        Set(ApiKey.DeleteRecords, 2); Set(ApiKey.InitProducerId, 2); Set(ApiKey.OffsetForLeaderEpoch, 4);
        Set(ApiKey.AddPartitionsToTxn, 3); Set(ApiKey.AddOffsetsToTxn, 3); Set(ApiKey.EndTxn, 3); Set(ApiKey.WriteTxnMarkers, 1);
        Set(ApiKey.TxnOffsetCommit, 3); Set(ApiKey.DescribeAcls, 2); Set(ApiKey.CreateAcls, 2); Set(ApiKey.DeleteAcls, 2);
        Set(ApiKey.DescribeConfigs, 4); Set(ApiKey.AlterConfigs, 2); Set(ApiKey.AlterReplicaLogDirs, 2); Set(ApiKey.DescribeLogDirs, 2);
        Set(ApiKey.SaslAuthenticate, 2); Set(ApiKey.CreatePartitions, 2); Set(ApiKey.CreateDelegationToken, 2);
        Set(ApiKey.RenewDelegationToken, 2); Set(ApiKey.ExpireDelegationToken, 2); Set(ApiKey.DescribeDelegationToken, 2);
        Set(ApiKey.DeleteGroups, 2); Set(ApiKey.ElectLeaders, 2); Set(ApiKey.IncrementalAlterConfigs, 1);
        Set(ApiKey.AlterPartitionReassignments, 0); Set(ApiKey.ListPartitionReassignments, 0);
        Set(ApiKey.DescribeClientQuotas, 1); Set(ApiKey.AlterClientQuotas, 1); Set(ApiKey.DescribeUserScramCredentials, 0);
        Set(ApiKey.AlterUserScramCredentials, 0); Set(ApiKey.DescribeCluster, 0); Set(ApiKey.DescribeProducers, 0);
        Set(ApiKey.DescribeTransactions, 0); Set(ApiKey.ListTransactions, 0); Set(ApiKey.ConsumerGroupHeartbeat, 0);
        Set(ApiKey.ConsumerGroupDescribe, 0); Set(ApiKey.GetTelemetrySubscriptions, 0); Set(ApiKey.PushTelemetry, 0);
        return table;
    }

    public static bool IsFlexible(ApiKey key, short version)
        => (uint)key < (uint)FirstFlexible.Length && version >= FirstFlexible[(int)key];

    /// <summary>2 for flexible versions, 1 otherwise; ControlledShutdown v0 used header v0.</summary>
    public static short RequestHeaderVersion(ApiKey key, short version)
    {
        if (key == ApiKey.ControlledShutdown && version == 0)
        {
            return 0;
        }
        return IsFlexible(key, version) ? (short)2 : (short)1;
    }

    /// <summary>1 for flexible versions, 0 otherwise; ApiVersions always answers with header v0 (KIP-511).</summary>
    public static short ResponseHeaderVersion(ApiKey key, short version)
    {
        if (key == ApiKey.ApiVersions)
        {
            return 0;
        }
        return IsFlexible(key, version) ? (short)1 : (short)0;
    }
}
