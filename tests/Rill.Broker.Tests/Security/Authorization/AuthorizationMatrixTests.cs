using Rill.Broker.Security.Authorization;
using Rill.Protocol;
using Rill.Protocol.Messages;
using static Rill.Broker.Security.Authorization.AclOperation;
using static Rill.Broker.Security.Authorization.AclResourceType;
using static Rill.Broker.Tests.Security.Authorization.AclWire;

namespace Rill.Broker.Tests.Security.Authorization;

/// <summary>
/// For every API key the broker serves: bob, holding only a row's baseline ACLs, is refused with
/// Kafka's error; granted the row's ACLs (through CreateAcls), the same request passes the check.
/// A test fails when a handler is registered without a row here.
/// </summary>
public class AuthorizationMatrixTests(AuthorizationMatrixFixture fixture) : IClassFixture<AuthorizationMatrixFixture>
{
    private const string Bob = "User:bob";
    private const short TopicDenied = (short)ErrorCode.TopicAuthorizationFailed;
    private const short GroupDenied = (short)ErrorCode.GroupAuthorizationFailed;
    private const short ClusterDenied = (short)ErrorCode.ClusterAuthorizationFailed;
    private const short TxnDenied = (short)ErrorCode.TransactionalIdAuthorizationFailed;

    /// <summary>APIs every connection may use: they carry no resource (Kafka checks none).</summary>
    private static readonly ApiKey[] Unchecked = [ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate];

    /// <summary>
    /// One matrix row. <paramref name="Setup"/> runs as the super user first; <paramref name="AllowedError"/> null
    /// means "any answer but an authorization error" (for APIs whose success depends on features other branches add).
    /// </summary>
    internal sealed record Row(string Name, ApiKey Key, short Version, Func<string, IApiMessage> Request, Func<IApiMessage, short> ErrorOf,
        short DeniedError, AclBinding[] Needed, short? AllowedError = 0, AclBinding[]? Baseline = null,
        Func<WireClient, string, Task>? Setup = null);

    private static string T(string row) => "mx-" + row;

    private static readonly Row[] Rows =
    [
        new("produce", ApiKey.Produce, 9, r => BrokerTestBase.Produce(T(r), 0, BrokerTestBase.Batch(1)),
            m => ((ProduceResponse)m).Responses[0].PartitionResponses[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("produce"), Write)],
            Setup: CreateTopicAsync),
        new("fetch", ApiKey.Fetch, 12, r => BrokerTestBase.Fetch(T(r), 0, 0),
            m => ((FetchResponse)m).Responses[0].Partitions[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("fetch"), Read)], Setup: CreateTopicAsync),
        new("fetch-replica", ApiKey.Fetch, 12, r => ReplicaFetch(T(r)),
            m => ((FetchResponse)m).Responses[0].Partitions[0].ErrorCode, TopicDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, ClusterAction)],
            Baseline: [Allow(Bob, Topic, T("fetch-replica"), Read)], Setup: CreateTopicAsync),
        new("list-offsets", ApiKey.ListOffsets, 7, r => ListOffsets(T(r)),
            m => ((ListOffsetsResponse)m).Topics[0].Partitions[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("list-offsets"), Describe)],
            Setup: CreateTopicAsync),
        new("metadata", ApiKey.Metadata, 12, r => new MetadataRequest { Topics = [new() { Name = T(r) }], AllowAutoTopicCreation = false },
            m => ((MetadataResponse)m).Topics[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("metadata"), Read)], Setup: CreateTopicAsync),
        new("metadata-all-topics", ApiKey.Metadata, 12, _ => new MetadataRequest { Topics = null },
            m => ((MetadataResponse)m).Topics.Any(t => t.Name == T("metadata-all-topics")) ? (short)0 : TopicDenied,
            TopicDenied, [Allow(Bob, Topic, T("metadata-all-"), Describe, AclPatternType.Prefixed)], Setup: CreateTopicAsync),
        new("metadata-auto-create", ApiKey.Metadata, 12, r => new MetadataRequest { Topics = [new() { Name = T(r) }], AllowAutoTopicCreation = true },
            m => ((MetadataResponse)m).Topics[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("metadata-auto-create"), Create)],
            Baseline: [Allow(Bob, Topic, T("metadata-auto-create"), Describe)]),
        new("offset-commit-group", ApiKey.OffsetCommit, 7, r => Commit(T(r)),
            m => ((OffsetCommitResponse)m).Topics[0].Partitions[0].ErrorCode, GroupDenied, [Allow(Bob, Group, T("offset-commit-group"), Read)],
            Baseline: [Allow(Bob, Topic, T("offset-commit-group"), Read)], Setup: CreateTopicAsync),
        new("offset-commit-topic", ApiKey.OffsetCommit, 7, r => Commit(T(r)),
            m => ((OffsetCommitResponse)m).Topics[0].Partitions[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("offset-commit-topic"), Read)],
            Baseline: [Allow(Bob, Group, T("offset-commit-topic"), Read)], Setup: CreateTopicAsync),
        new("offset-fetch", ApiKey.OffsetFetch, 7, r => new OffsetFetchRequest { GroupId = T(r), Topics = [new() { Name = T(r), PartitionIndexes = [0] }] },
            m => ((OffsetFetchResponse)m).ErrorCode, GroupDenied, [Allow(Bob, Group, T("offset-fetch"), Describe)],
            Baseline: [Allow(Bob, Topic, T("offset-fetch"), Describe)], Setup: CreateTopicAsync),
        new("offset-fetch-topic", ApiKey.OffsetFetch, 8, r => new OffsetFetchRequest
            {
                Groups = [new() { GroupId = T(r), Topics = [new() { Name = T(r), PartitionIndexes = [0] }] }],
            },
            m => ((OffsetFetchResponse)m).Groups[0].Topics[0].Partitions[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("offset-fetch-topic"), Read)],
            Baseline: [Allow(Bob, Group, T("offset-fetch-topic"), Read)], Setup: CreateTopicAsync),
        new("find-coordinator-group", ApiKey.FindCoordinator, 4, r => new FindCoordinatorRequest { KeyType = 0, CoordinatorKeys = [T(r)] },
            m => ((FindCoordinatorResponse)m).Coordinators[0].ErrorCode, GroupDenied, [Allow(Bob, Group, T("find-coordinator-group"), Describe)]),
        new("find-coordinator-txn", ApiKey.FindCoordinator, 4, r => new FindCoordinatorRequest { KeyType = 1, CoordinatorKeys = [T(r)] },
            m => ((FindCoordinatorResponse)m).Coordinators[0].ErrorCode, TxnDenied,
            [Allow(Bob, TransactionalId, T("find-coordinator-txn"), Describe)], AllowedError: null),
        new("join-group", ApiKey.JoinGroup, 3, r => Join(T(r)),
            m => ((JoinGroupResponse)m).ErrorCode, GroupDenied, [Allow(Bob, Group, T("join-group"), Read)]),
        new("heartbeat", ApiKey.Heartbeat, 4, r => new HeartbeatRequest { GroupId = T(r), GenerationId = 1, MemberId = "m" },
            m => ((HeartbeatResponse)m).ErrorCode, GroupDenied, [Allow(Bob, Group, T("heartbeat"), Read)], AllowedError: (short)ErrorCode.UnknownMemberId),
        new("leave-group", ApiKey.LeaveGroup, 3, r => new LeaveGroupRequest { GroupId = T(r), Members = [new() { MemberId = "m" }] },
            m => ((LeaveGroupResponse)m).ErrorCode, GroupDenied, [Allow(Bob, Group, T("leave-group"), Read)], AllowedError: null),
        new("sync-group", ApiKey.SyncGroup, 3, r => new SyncGroupRequest { GroupId = T(r), GenerationId = 1, MemberId = "m" },
            m => ((SyncGroupResponse)m).ErrorCode, GroupDenied, [Allow(Bob, Group, T("sync-group"), Read)], AllowedError: (short)ErrorCode.UnknownMemberId),
        new("describe-groups", ApiKey.DescribeGroups, 5, r => new DescribeGroupsRequest { Groups = [T(r)] },
            m => ((DescribeGroupsResponse)m).Groups[0].ErrorCode, GroupDenied, [Allow(Bob, Group, T("describe-groups"), Describe)]),
        new("list-groups", ApiKey.ListGroups, 4, _ => new ListGroupsRequest(),
            m => ((ListGroupsResponse)m).Groups.Any(g => g.GroupId == T("list-groups")) ? (short)0 : GroupDenied,
            GroupDenied, [Allow(Bob, Group, T("list-groups"), Describe)], Setup: CreateGroupAsync),
        new("list-groups-cluster", ApiKey.ListGroups, 4, _ => new ListGroupsRequest(),
            m => ((ListGroupsResponse)m).Groups.Any(g => g.GroupId == T("list-groups-cluster")) ? (short)0 : ClusterDenied,
            ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Describe)], Setup: CreateGroupAsync),
        new("create-topics", ApiKey.CreateTopics, 7, r => NewTopic(T(r)),
            m => ((CreateTopicsResponse)m).Topics[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, "mx-create-", Create, AclPatternType.Prefixed)]),
        new("create-topics-cluster", ApiKey.CreateTopics, 7, r => NewTopic(T(r)),
            m => ((CreateTopicsResponse)m).Topics[0].ErrorCode, TopicDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Create)]),
        new("delete-topics", ApiKey.DeleteTopics, 6, r => new DeleteTopicsRequest { Topics = [new() { Name = T(r) }], TimeoutMs = 5000 },
            m => ((DeleteTopicsResponse)m).Responses[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("delete-topics"), Delete)], Setup: CreateTopicAsync),
        new("delete-records", ApiKey.DeleteRecords, 2, r => DeleteRecords(T(r)),
            m => ((DeleteRecordsResponse)m).Topics[0].Partitions[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("delete-records"), Delete)],
            Setup: CreateTopicAsync),
        new("init-producer-id", ApiKey.InitProducerId, 4, _ => new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60000, ProducerId = -1, ProducerEpoch = -1 },
            m => ((InitProducerIdResponse)m).ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, IdempotentWrite)]),
        new("init-producer-id-topic-write", ApiKey.InitProducerId, 4, _ => new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60000, ProducerId = -1, ProducerEpoch = -1 },
            m => ((InitProducerIdResponse)m).ErrorCode, ClusterDenied, [Allow(Bob, Topic, "any-topic", Write)],
            Baseline: [Allow(Bob, Topic, "any-topic", Read)]),
        new("init-producer-id-txn", ApiKey.InitProducerId, 4, r => new InitProducerIdRequest { TransactionalId = T(r), TransactionTimeoutMs = 60000, ProducerId = -1, ProducerEpoch = -1 },
            m => ((InitProducerIdResponse)m).ErrorCode, TxnDenied, [Allow(Bob, TransactionalId, T("init-producer-id-txn"), Write)], AllowedError: null),
        new("describe-scram", ApiKey.DescribeUserScramCredentials, 0, _ => new DescribeUserScramCredentialsRequest(),
            m => ((DescribeUserScramCredentialsResponse)m).ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Describe)]),
        new("alter-scram", ApiKey.AlterUserScramCredentials, 0, r => new AlterUserScramCredentialsRequest
            {
                Deletions = [new AlterUserScramCredentialsRequest.ScramCredentialDeletion { Name = T(r), Mechanism = 1 }],
            },
            m => ((AlterUserScramCredentialsResponse)m).Results[0].ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Alter)],
            AllowedError: (short)ErrorCode.ResourceNotFound),
        new("describe-quotas", ApiKey.DescribeClientQuotas, 1, _ => new DescribeClientQuotasRequest(),
            m => ((DescribeClientQuotasResponse)m).ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, AclOperation.DescribeConfigs)]),
        new("alter-quotas", ApiKey.AlterClientQuotas, 1, r => new AlterClientQuotasRequest
            {
                Entries =
                [
                    new AlterClientQuotasRequest.AlterClientQuotasEntry
                    {
                        Entity = [new AlterClientQuotasRequest.AlterClientQuotasEntity { EntityType = "client-id", EntityName = T(r) }],
                        Ops = [new AlterClientQuotasRequest.AlterClientQuotasOp { Key = "producer_byte_rate", Value = 1_000_000 }],
                    },
                ],
                ValidateOnly = true,
            },
            m => ((AlterClientQuotasResponse)m).Entries[0].ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, AclOperation.AlterConfigs)]),
        new("describe-acls", ApiKey.DescribeAcls, 3, _ => DescribeAllAcls(),
            m => ((DescribeAclsResponse)m).ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Describe)]),
        new("create-acls", ApiKey.CreateAcls, 3, _ => CreateRequest([Allow("User:carol", Topic, "mx-carol", Read)]),
            m => ((CreateAclsResponse)m).Results[0].ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Alter)]),
        new("delete-acls", ApiKey.DeleteAcls, 3, _ => new DeleteAclsRequest { Filters = [Filter(AclBindingFilter.Any with { Principal = "User:nobody" })] },
            m => ((DeleteAclsResponse)m).FilterResults[0].ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Alter)]),
        new("describe-configs-topic", ApiKey.DescribeConfigs, 4, r => DescribeConfigs(2, T(r)),
            m => ((DescribeConfigsResponse)m).Results[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("describe-configs-topic"), AclOperation.DescribeConfigs)],
            Setup: CreateTopicAsync),
        new("describe-configs-broker", ApiKey.DescribeConfigs, 4, _ => DescribeConfigs(4, "1"),
            m => ((DescribeConfigsResponse)m).Results[0].ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, AclOperation.AlterConfigs)]),
        new("alter-configs-topic", ApiKey.AlterConfigs, 2, r => new AlterConfigsRequest
            {
                Resources = [new() { ResourceType = 2, ResourceName = T(r), Configs = [new() { Name = "retention.ms", Value = "60000" }] }],
            },
            m => ((AlterConfigsResponse)m).Responses[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("alter-configs-topic"), AlterConfigs)],
            Setup: CreateTopicAsync),
        new("incremental-alter-configs-broker", ApiKey.IncrementalAlterConfigs, 1, _ => new IncrementalAlterConfigsRequest
            {
                Resources = [new() { ResourceType = 4, ResourceName = "", Configs = [new() { Name = "log.cleaner.threads", ConfigOperation = 0, Value = "1" }] }],
            },
            m => ((IncrementalAlterConfigsResponse)m).Responses[0].ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, AclOperation.AlterConfigs)]),
        new("describe-log-dirs", ApiKey.DescribeLogDirs, 4, _ => new DescribeLogDirsRequest { Topics = null },
            m => ((DescribeLogDirsResponse)m).ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Describe)]),
        new("create-partitions", ApiKey.CreatePartitions, 3, r => new CreatePartitionsRequest { Topics = [new() { Name = T(r), Count = 2 }], TimeoutMs = 5000 },
            m => ((CreatePartitionsResponse)m).Results[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("create-partitions"), Alter)], Setup: CreateTopicAsync),
        new("delete-groups", ApiKey.DeleteGroups, 2, r => new DeleteGroupsRequest { GroupsNames = [T(r)] },
            m => ((DeleteGroupsResponse)m).Results[0].ErrorCode, GroupDenied, [Allow(Bob, Group, T("delete-groups"), Delete)], Setup: CreateGroupAsync),
        new("offset-delete", ApiKey.OffsetDelete, 0, r => new OffsetDeleteRequest { GroupId = T(r), Topics = [new() { Name = T(r), Partitions = [new() { PartitionIndex = 0 }] }] },
            m => ((OffsetDeleteResponse)m).ErrorCode, GroupDenied, [Allow(Bob, Group, T("offset-delete"), Delete)],
            Baseline: [Allow(Bob, Topic, T("offset-delete"), Read)], Setup: CreateGroupAsync),
        new("offset-delete-topic", ApiKey.OffsetDelete, 0, r => new OffsetDeleteRequest { GroupId = T(r), Topics = [new() { Name = T(r), Partitions = [new() { PartitionIndex = 0 }] }] },
            m => ((OffsetDeleteResponse)m).Topics[0].Partitions[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("offset-delete-topic"), Read)],
            Baseline: [Allow(Bob, Group, T("offset-delete-topic"), Delete)], Setup: CreateGroupAsync),
        new("elect-leaders", ApiKey.ElectLeaders, 2, r => new ElectLeadersRequest { ElectionType = 0, TopicPartitions = [new() { Topic = T(r), Partitions = [0] }] },
            m => ((ElectLeadersResponse)m).ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Alter)], Setup: CreateTopicAsync),
        new("alter-partition-reassignments", ApiKey.AlterPartitionReassignments, 0, r => new AlterPartitionReassignmentsRequest
            {
                Topics = [new() { Name = T(r), Partitions = [new() { PartitionIndex = 0, Replicas = null }] }],
            },
            m => ((AlterPartitionReassignmentsResponse)m).ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Alter)],
            Setup: CreateTopicAsync),
        new("list-partition-reassignments", ApiKey.ListPartitionReassignments, 0, _ => new ListPartitionReassignmentsRequest { Topics = null },
            m => ((ListPartitionReassignmentsResponse)m).ErrorCode, ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Describe)]),
        new("describe-cluster", ApiKey.DescribeCluster, 1, _ => new DescribeClusterRequest { IncludeClusterAuthorizedOperations = true, EndpointType = 1 },
            m => ((DescribeClusterResponse)m).ClusterAuthorizedOperations == 0 ? ClusterDenied : ((DescribeClusterResponse)m).ErrorCode,
            ClusterDenied, [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, Describe)]),
        new("consumer-group-heartbeat", ApiKey.ConsumerGroupHeartbeat, 0, r => new ConsumerGroupHeartbeatRequest
            {
                GroupId = T(r), MemberId = Guid.NewGuid().ToString(), MemberEpoch = 0, RebalanceTimeoutMs = 30000, SubscribedTopicNames = [T(r)], TopicPartitions = [],
            },
            m => ((ConsumerGroupHeartbeatResponse)m).ErrorCode, GroupDenied, [Allow(Bob, Group, T("consumer-group-heartbeat"), Read)],
            Baseline: [Allow(Bob, Topic, T("consumer-group-heartbeat"), Describe)], Setup: CreateTopicAsync),
        new("consumer-group-heartbeat-topic", ApiKey.ConsumerGroupHeartbeat, 0, r => new ConsumerGroupHeartbeatRequest
            {
                GroupId = T(r), MemberId = Guid.NewGuid().ToString(), MemberEpoch = 0, RebalanceTimeoutMs = 30000, SubscribedTopicNames = [T(r)], TopicPartitions = [],
            },
            m => ((ConsumerGroupHeartbeatResponse)m).ErrorCode, TopicDenied, [Allow(Bob, Topic, T("consumer-group-heartbeat-topic"), Describe)],
            Baseline: [Allow(Bob, Group, T("consumer-group-heartbeat-topic"), Read)], Setup: CreateTopicAsync),
        new("consumer-group-describe", ApiKey.ConsumerGroupDescribe, 0, r => new ConsumerGroupDescribeRequest { GroupIds = [T(r)] },
            m => ((ConsumerGroupDescribeResponse)m).Groups[0].ErrorCode, GroupDenied, [Allow(Bob, Group, T("consumer-group-describe"), Describe)],
            AllowedError: null),
        new("add-partitions-to-txn", ApiKey.AddPartitionsToTxn, 3, r => new AddPartitionsToTxnRequest
            {
                V3AndBelowTransactionalId = T(r), V3AndBelowProducerId = 1, V3AndBelowProducerEpoch = 0,
                V3AndBelowTopics = [new() { Name = T(r), Partitions = [0] }],
            },
            m => ((AddPartitionsToTxnResponse)m).ResultsByTopicV3AndBelow[0].ResultsByPartition[0].PartitionErrorCode, TxnDenied,
            [Allow(Bob, TransactionalId, T("add-partitions-to-txn"), Write)], AllowedError: null,
            Baseline: [Allow(Bob, Topic, T("add-partitions-to-txn"), Write)], Setup: CreateTopicAsync),
        new("add-partitions-to-txn-topic", ApiKey.AddPartitionsToTxn, 3, r => new AddPartitionsToTxnRequest
            {
                V3AndBelowTransactionalId = T(r), V3AndBelowProducerId = 1, V3AndBelowProducerEpoch = 0,
                V3AndBelowTopics = [new() { Name = T(r), Partitions = [0] }],
            },
            m => ((AddPartitionsToTxnResponse)m).ResultsByTopicV3AndBelow[0].ResultsByPartition[0].PartitionErrorCode, TopicDenied,
            [Allow(Bob, Topic, T("add-partitions-to-txn-topic"), Write)], AllowedError: null,
            Baseline: [Allow(Bob, TransactionalId, T("add-partitions-to-txn-topic"), Write)], Setup: CreateTopicAsync),
        new("add-offsets-to-txn", ApiKey.AddOffsetsToTxn, 3, r => new AddOffsetsToTxnRequest { TransactionalId = T(r), ProducerId = 1, ProducerEpoch = 0, GroupId = T(r) },
            m => ((AddOffsetsToTxnResponse)m).ErrorCode, GroupDenied, [Allow(Bob, Group, T("add-offsets-to-txn"), Read)], AllowedError: null,
            Baseline: [Allow(Bob, TransactionalId, T("add-offsets-to-txn"), Write)]),
        new("end-txn", ApiKey.EndTxn, 3, r => new EndTxnRequest { TransactionalId = T(r), ProducerId = 1, ProducerEpoch = 0, Committed = true },
            m => ((EndTxnResponse)m).ErrorCode, TxnDenied, [Allow(Bob, TransactionalId, T("end-txn"), Write)], AllowedError: null),
        new("write-txn-markers", ApiKey.WriteTxnMarkers, 1, r => new WriteTxnMarkersRequest
            {
                Markers = [new() { ProducerId = 99, ProducerEpoch = 0, TransactionResult = false, CoordinatorEpoch = 0, Topics = [new() { Name = T(r), PartitionIndexes = [0] }] }],
            },
            m => ((WriteTxnMarkersResponse)m).Markers[0].Topics[0].Partitions[0].ErrorCode, ClusterDenied,
            [Allow(Bob, AclResourceType.Cluster, AclNames.ClusterName, ClusterAction)], AllowedError: null, Setup: CreateTopicAsync),
        new("txn-offset-commit", ApiKey.TxnOffsetCommit, 3, r => new TxnOffsetCommitRequest
            {
                TransactionalId = T(r), GroupId = T(r), ProducerId = 1, ProducerEpoch = 0, GenerationId = -1, MemberId = "",
                Topics = [new() { Name = T(r), Partitions = [new() { PartitionIndex = 0, CommittedOffset = 0 }] }],
            },
            m => ((TxnOffsetCommitResponse)m).Topics[0].Partitions[0].ErrorCode, TxnDenied,
            [Allow(Bob, TransactionalId, T("txn-offset-commit"), Write)], AllowedError: null,
            Baseline: [Allow(Bob, Group, T("txn-offset-commit"), Read), Allow(Bob, Topic, T("txn-offset-commit"), Read)], Setup: CreateTopicAsync),
        new("describe-producers", ApiKey.DescribeProducers, 0, r => new DescribeProducersRequest { Topics = [new() { Name = T(r), PartitionIndexes = [0] }] },
            m => ((DescribeProducersResponse)m).Topics[0].Partitions[0].ErrorCode, TopicDenied, [Allow(Bob, Topic, T("describe-producers"), Read)],
            Setup: CreateTopicAsync),
        new("describe-transactions", ApiKey.DescribeTransactions, 0, r => new DescribeTransactionsRequest { TransactionalIds = [T(r)] },
            m => ((DescribeTransactionsResponse)m).TransactionStates[0].ErrorCode, TxnDenied,
            [Allow(Bob, TransactionalId, T("describe-transactions"), Describe)], AllowedError: null),
        new("list-transactions", ApiKey.ListTransactions, 0, _ => new ListTransactionsRequest { DurationFilter = -1 },
            m => ((ListTransactionsResponse)m).TransactionStates.Any(t => t.TransactionalId == T("list-transactions")) ? (short)0 : TxnDenied,
            TxnDenied, [Allow(Bob, TransactionalId, T("list-transactions"), Describe)], Setup: InitTransactionAsync),
    ];

    public static TheoryData<string> RowNames => [.. Rows.Select(r => r.Name)];

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task Principal_without_the_acl_is_refused_and_with_it_passes(string name)
    {
        Row row = Rows.Single(r => r.Name == name);
        await using WireClient admin = await fixture.ConnectAsAsync("admin");
        if (row.Setup is not null)
        {
            await row.Setup(admin, T(row.Name));
        }
        await GrantAsync(admin, row.Baseline ?? []);
        try
        {
            await using (WireClient bob = await fixture.ConnectAsAsync("bob"))
            {
                short denied = row.ErrorOf(await SendAsync(bob, row));
                Assert.True(row.DeniedError == denied, $"{row.Name}: without the ACL expected error {row.DeniedError}, got {denied}");
            }
            await GrantAsync(admin, row.Needed);
            await using (WireClient bob = await fixture.ConnectAsAsync("bob"))
            {
                short allowed = row.ErrorOf(await SendAsync(bob, row));
                if (row.AllowedError is { } expected)
                {
                    Assert.True(expected == allowed, $"{row.Name}: with the ACL expected error {expected}, got {allowed}");
                }
                else
                {
                    Assert.DoesNotContain(allowed, new[] { TopicDenied, GroupDenied, ClusterDenied, TxnDenied });
                }
            }
        }
        finally
        {
            await RevokeAllAsync(admin, Bob);
        }
    }

    [Fact]
    public void Every_served_api_has_a_row_or_is_exempt()
    {
        var served = fixture.Broker.Host.Broker.Handlers.All.Select(h => h.Key).ToHashSet();
        var covered = Rows.Select(r => r.Key).Concat(Unchecked).ToHashSet();
        Assert.Empty(served.Except(covered).Order());
    }

    [Fact]
    public async Task Super_user_passes_a_deny_for_everyone_and_deny_beats_allow_for_others()
    {
        const string topic = "mx-deny";
        await using WireClient admin = await fixture.ConnectAsAsync("admin");
        await CreateTopicAsync(admin, topic);
        await GrantAsync(admin, Allow(Bob, Topic, topic, Write), Allow("User:carol", Topic, "*", All), Deny("User:*", Topic, "mx-deny", Write, AclPatternType.Prefixed));
        try
        {
            async Task<short> ProduceAs(WireClient c) =>
                (await c.RequestAsync<ProduceResponse>(ApiKey.Produce, 9, BrokerTestBase.Produce(topic, 0, BrokerTestBase.Batch(1)))).Responses[0].PartitionResponses[0].ErrorCode;
            Assert.Equal(0, await ProduceAs(admin));
            await using WireClient bob = await fixture.ConnectAsAsync("bob");
            Assert.Equal(TopicDenied, await ProduceAs(bob));
            await using WireClient carol = await fixture.ConnectAsAsync("carol");
            Assert.Equal(TopicDenied, await ProduceAs(carol));
            // carol's ALL on '*' still lets her read: the deny is for WRITE only.
            var fetched = await carol.RequestAsync<FetchResponse>(ApiKey.Fetch, 12, BrokerTestBase.Fetch(topic, 0, 0));
            Assert.Equal(0, fetched.Responses[0].Partitions[0].ErrorCode);
        }
        finally
        {
            var response = await admin.RequestAsync<DeleteAclsResponse>(ApiKey.DeleteAcls, 3, new DeleteAclsRequest
            {
                Filters = [Filter(AclBindingFilter.Any with { Principal = Bob }), Filter(AclBindingFilter.Any with { Principal = "User:carol" }),
                    Filter(AclBindingFilter.Any with { Principal = "User:*" })],
            });
            Assert.All(response.FilterResults, r => Assert.Equal(0, r.ErrorCode));
        }
    }

    [Fact]
    public async Task Created_topic_configs_are_hidden_without_describe_configs()
    {
        await using WireClient admin = await fixture.ConnectAsAsync("admin");
        await GrantAsync(admin, Allow(Bob, Topic, "mx-cfg-", Create, AclPatternType.Prefixed));
        try
        {
            await using WireClient bob = await fixture.ConnectAsAsync("bob");
            var hidden = (await bob.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, NewTopic("mx-cfg-hidden"))).Topics[0];
            Assert.Equal((0, TopicDenied), (hidden.ErrorCode, hidden.TopicConfigErrorCode));
            Assert.Empty(hidden.Configs!);
            await GrantAsync(admin, Allow(Bob, Topic, "mx-cfg-shown", AclOperation.AlterConfigs));
            var shown = (await bob.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, NewTopic("mx-cfg-shown"))).Topics[0];
            Assert.Equal((0, (short)0), (shown.ErrorCode, shown.TopicConfigErrorCode));
            Assert.Contains(shown.Configs!, c => c.Name == "retention.ms");
        }
        finally
        {
            await RevokeAllAsync(admin, Bob);
        }
    }

    [Fact]
    public async Task Authorized_operations_reflect_the_principals_acls()
    {
        const string topic = "mx-ops";
        await using WireClient admin = await fixture.ConnectAsAsync("admin");
        await CreateTopicAsync(admin, topic);
        await GrantAsync(admin, Allow(Bob, Topic, topic, Read), Allow(Bob, Group, "mx-ops-g", Read));
        try
        {
            await using WireClient bob = await fixture.ConnectAsAsync("bob");
            var metadata = await bob.RequestAsync<MetadataResponse>(ApiKey.Metadata, 10, new MetadataRequest
            {
                Topics = [new() { Name = topic }], IncludeTopicAuthorizedOperations = true, IncludeClusterAuthorizedOperations = true,
            });
            Assert.Equal((1 << (int)Read) | (1 << (int)Describe), metadata.Topics[0].TopicAuthorizedOperations);
            Assert.Equal(0, metadata.ClusterAuthorizedOperations);
            var groups = await bob.RequestAsync<DescribeGroupsResponse>(ApiKey.DescribeGroups, 5,
                new DescribeGroupsRequest { Groups = ["mx-ops-g"], IncludeAuthorizedOperations = true });
            Assert.Equal((1 << (int)Read) | (1 << (int)Describe), groups.Groups[0].AuthorizedOperations);
        }
        finally
        {
            await RevokeAllAsync(admin, Bob);
        }
    }

    [Fact]
    public async Task Acl_apis_validate_bindings_and_filters()
    {
        await using WireClient admin = await fixture.ConnectAsAsync("admin");
        var created = await admin.RequestAsync<CreateAclsResponse>(ApiKey.CreateAcls, 3, CreateRequest(
        [
            Allow("User:x", Topic, "ok", Read),
            new AclBinding(new ResourcePattern(Topic, "t", AclPatternType.Match), new AccessControlEntry("User:x", "*", Read, AclPermissionType.Allow)),
            Allow("User:x", AclResourceType.Cluster, "not-the-cluster", Alter),
            Allow("nobody", Topic, "t", Read),
        ]));
        Assert.Equal([0, 42, 42, 42], created.Results.Select(r => (int)r.ErrorCode));
        DescribeAclsRequest ofX = DescribeAllAcls();
        ofX.PrincipalFilter = "User:x";
        var described = await admin.RequestAsync<DescribeAclsResponse>(ApiKey.DescribeAcls, 3, ofX);
        Assert.Equal(0, described.ErrorCode);
        var resource = Assert.Single(described.Resources);
        Assert.Equal(("ok", (sbyte)Topic, (sbyte)AclPatternType.Literal), (resource.ResourceName, resource.ResourceType, resource.PatternType));
        var bad = DescribeAllAcls();
        bad.PatternTypeFilter = 0;
        Assert.Equal(42, (await admin.RequestAsync<DescribeAclsResponse>(ApiKey.DescribeAcls, 3, bad)).ErrorCode);
        var deleted = await admin.RequestAsync<DeleteAclsResponse>(ApiKey.DeleteAcls, 1,
            new DeleteAclsRequest { Filters = [Filter(AclBindingFilter.Any with { Principal = "User:x" })] });
        var match = Assert.Single(deleted.FilterResults[0].MatchingAcls);
        Assert.Equal(("ok", "User:x", (sbyte)Read), (match.ResourceName, match.Principal, match.Operation));
    }

    private static DescribeAclsRequest DescribeAllAcls() => new()
    {
        ResourceTypeFilter = (sbyte)AclResourceType.Any, ResourceNameFilter = null, PatternTypeFilter = (sbyte)AclPatternType.Any,
        PrincipalFilter = null, HostFilter = null, Operation = (sbyte)AclOperation.Any, PermissionType = (sbyte)AclPermissionType.Any,
    };

    private static async Task<IApiMessage> SendAsync(WireClient client, Row row)
    {
        IApiMessage request = row.Request(row.Name);
        return row.Key switch
        {
            ApiKey.Produce => await client.RequestAsync<ProduceResponse>(row.Key, row.Version, request),
            ApiKey.Fetch => await client.RequestAsync<FetchResponse>(row.Key, row.Version, request),
            ApiKey.ListOffsets => await client.RequestAsync<ListOffsetsResponse>(row.Key, row.Version, request),
            ApiKey.Metadata => await client.RequestAsync<MetadataResponse>(row.Key, row.Version, request),
            ApiKey.OffsetCommit => await client.RequestAsync<OffsetCommitResponse>(row.Key, row.Version, request),
            ApiKey.OffsetFetch => await client.RequestAsync<OffsetFetchResponse>(row.Key, row.Version, request),
            ApiKey.FindCoordinator => await client.RequestAsync<FindCoordinatorResponse>(row.Key, row.Version, request),
            ApiKey.JoinGroup => await client.RequestAsync<JoinGroupResponse>(row.Key, row.Version, request),
            ApiKey.Heartbeat => await client.RequestAsync<HeartbeatResponse>(row.Key, row.Version, request),
            ApiKey.LeaveGroup => await client.RequestAsync<LeaveGroupResponse>(row.Key, row.Version, request),
            ApiKey.SyncGroup => await client.RequestAsync<SyncGroupResponse>(row.Key, row.Version, request),
            ApiKey.DescribeGroups => await client.RequestAsync<DescribeGroupsResponse>(row.Key, row.Version, request),
            ApiKey.ListGroups => await client.RequestAsync<ListGroupsResponse>(row.Key, row.Version, request),
            ApiKey.CreateTopics => await client.RequestAsync<CreateTopicsResponse>(row.Key, row.Version, request),
            ApiKey.DeleteTopics => await client.RequestAsync<DeleteTopicsResponse>(row.Key, row.Version, request),
            ApiKey.DeleteRecords => await client.RequestAsync<DeleteRecordsResponse>(row.Key, row.Version, request),
            ApiKey.InitProducerId => await client.RequestAsync<InitProducerIdResponse>(row.Key, row.Version, request),
            ApiKey.DescribeAcls => await client.RequestAsync<DescribeAclsResponse>(row.Key, row.Version, request),
            ApiKey.CreateAcls => await client.RequestAsync<CreateAclsResponse>(row.Key, row.Version, request),
            ApiKey.DeleteAcls => await client.RequestAsync<DeleteAclsResponse>(row.Key, row.Version, request),
            ApiKey.DescribeConfigs => await client.RequestAsync<DescribeConfigsResponse>(row.Key, row.Version, request),
            ApiKey.AlterConfigs => await client.RequestAsync<AlterConfigsResponse>(row.Key, row.Version, request),
            ApiKey.IncrementalAlterConfigs => await client.RequestAsync<IncrementalAlterConfigsResponse>(row.Key, row.Version, request),
            ApiKey.DescribeLogDirs => await client.RequestAsync<DescribeLogDirsResponse>(row.Key, row.Version, request),
            ApiKey.CreatePartitions => await client.RequestAsync<CreatePartitionsResponse>(row.Key, row.Version, request),
            ApiKey.DeleteGroups => await client.RequestAsync<DeleteGroupsResponse>(row.Key, row.Version, request),
            ApiKey.OffsetDelete => await client.RequestAsync<OffsetDeleteResponse>(row.Key, row.Version, request),
            ApiKey.DescribeCluster => await client.RequestAsync<DescribeClusterResponse>(row.Key, row.Version, request),
            ApiKey.ElectLeaders => await client.RequestAsync<ElectLeadersResponse>(row.Key, row.Version, request),
            ApiKey.AlterPartitionReassignments => await client.RequestAsync<AlterPartitionReassignmentsResponse>(row.Key, row.Version, request),
            ApiKey.ListPartitionReassignments => await client.RequestAsync<ListPartitionReassignmentsResponse>(row.Key, row.Version, request),
            ApiKey.ConsumerGroupHeartbeat => await client.RequestAsync<ConsumerGroupHeartbeatResponse>(row.Key, row.Version, request),
            ApiKey.ConsumerGroupDescribe => await client.RequestAsync<ConsumerGroupDescribeResponse>(row.Key, row.Version, request),
            ApiKey.AddPartitionsToTxn => await client.RequestAsync<AddPartitionsToTxnResponse>(row.Key, row.Version, request),
            ApiKey.AddOffsetsToTxn => await client.RequestAsync<AddOffsetsToTxnResponse>(row.Key, row.Version, request),
            ApiKey.EndTxn => await client.RequestAsync<EndTxnResponse>(row.Key, row.Version, request),
            ApiKey.WriteTxnMarkers => await client.RequestAsync<WriteTxnMarkersResponse>(row.Key, row.Version, request),
            ApiKey.TxnOffsetCommit => await client.RequestAsync<TxnOffsetCommitResponse>(row.Key, row.Version, request),
            ApiKey.DescribeProducers => await client.RequestAsync<DescribeProducersResponse>(row.Key, row.Version, request),
            ApiKey.DescribeTransactions => await client.RequestAsync<DescribeTransactionsResponse>(row.Key, row.Version, request),
            ApiKey.ListTransactions => await client.RequestAsync<ListTransactionsResponse>(row.Key, row.Version, request),
            ApiKey.DescribeClientQuotas => await client.RequestAsync<DescribeClientQuotasResponse>(row.Key, row.Version, request),
            ApiKey.AlterClientQuotas => await client.RequestAsync<AlterClientQuotasResponse>(row.Key, row.Version, request),
            ApiKey.DescribeUserScramCredentials => await client.RequestAsync<DescribeUserScramCredentialsResponse>(row.Key, row.Version, request),
            ApiKey.AlterUserScramCredentials => await client.RequestAsync<AlterUserScramCredentialsResponse>(row.Key, row.Version, request),
            _ => throw new InvalidOperationException($"No response type for {row.Key} in the matrix"),
        };
    }

    private static async Task CreateTopicAsync(WireClient admin, string topic)
    {
        var response = await admin.RequestAsync<CreateTopicsResponse>(ApiKey.CreateTopics, 7, NewTopic(topic));
        Assert.Contains(response.Topics[0].ErrorCode, new short[] { 0, (short)ErrorCode.TopicAlreadyExists });
    }

    /// <summary>A topic and an empty group with a committed offset on it.</summary>
    private static async Task CreateGroupAsync(WireClient admin, string name)
    {
        await CreateTopicAsync(admin, name);
        var response = await admin.RequestAsync<OffsetCommitResponse>(ApiKey.OffsetCommit, 7, Commit(name));
        Assert.Equal(0, response.Topics[0].Partitions[0].ErrorCode);
    }

    /// <summary>A transactional id the coordinator knows (InitProducerId as the super user).</summary>
    private static async Task InitTransactionAsync(WireClient admin, string transactionalId)
    {
        var response = await admin.RequestAsync<InitProducerIdResponse>(ApiKey.InitProducerId, 4,
            new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = 60000, ProducerId = -1, ProducerEpoch = -1 });
        Assert.Equal(0, response.ErrorCode);
    }

    private static CreateTopicsRequest NewTopic(string name)
        => new() { Topics = [new() { Name = name, NumPartitions = 1, ReplicationFactor = 1 }], TimeoutMs = 5000 };

    private static OffsetCommitRequest Commit(string name) => new()
    {
        GroupId = name, GenerationIdOrMemberEpoch = -1, MemberId = "",
        Topics = [new() { Name = name, Partitions = [new() { PartitionIndex = 0, CommittedOffset = 0 }] }],
    };

    private static JoinGroupRequest Join(string group) => new()
    {
        GroupId = group, SessionTimeoutMs = 10000, RebalanceTimeoutMs = 10000, MemberId = "", ProtocolType = "consumer",
        Protocols = [new() { Name = "range", Metadata = new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 } }],
    };

    private static FetchRequest ReplicaFetch(string topic)
    {
        FetchRequest request = BrokerTestBase.Fetch(topic, 0, 0);
        request.ReplicaId = 2;
        return request;
    }

    private static ListOffsetsRequest ListOffsets(string topic)
    {
        var request = new ListOffsetsRequest { ReplicaId = -1 };
        request.Topics.Add(new() { Name = topic, Partitions = [new() { PartitionIndex = 0, Timestamp = -1 }] });
        return request;
    }

    private static DeleteRecordsRequest DeleteRecords(string topic) => new()
    {
        Topics = [new() { Name = topic, Partitions = [new() { PartitionIndex = 0, Offset = 0 }] }], TimeoutMs = 5000,
    };

    private static DescribeConfigsRequest DescribeConfigs(sbyte type, string name)
        => new() { Resources = [new() { ResourceType = type, ResourceName = name, ConfigurationKeys = null }] };
}
