namespace Rill.Broker.Handlers;

/// <summary>Registers every API the broker serves. ApiVersions advertises exactly this set.</summary>
internal static class HandlerSetup
{
    public static ApiHandlerRegistry CreateRegistry(KafkaBroker broker)
    {
        var registry = new ApiHandlerRegistry();
        registry.Register(new ProduceHandler(broker));
        registry.Register(new FetchHandler(broker));
        registry.Register(new ListOffsetsHandler(broker));
        registry.Register(new MetadataHandler(broker));
        registry.Register(new ApiVersionsHandler(registry));
        registry.Register(new CreateTopicsHandler(broker));
        registry.Register(new DeleteTopicsHandler(broker));
        registry.Register(new InitProducerIdHandler(broker));
        registry.Register(new FindCoordinatorHandler(broker));
        registry.Register(new JoinGroupHandler(broker));
        registry.Register(new SyncGroupHandler(broker));
        registry.Register(new HeartbeatHandler(broker));
        registry.Register(new LeaveGroupHandler(broker));
        registry.Register(new OffsetCommitHandler(broker));
        registry.Register(new OffsetFetchHandler(broker));
        registry.Register(new ListGroupsHandler(broker));
        registry.Register(new DescribeGroupsHandler(broker));
        registry.Register(new DeleteGroupsHandler(broker));
        registry.Register(new OffsetDeleteHandler(broker));
        registry.Register(new DeleteRecordsHandler(broker));
        registry.Register(new DescribeConfigsHandler(broker));
        registry.Register(new AlterConfigsHandler(broker));
        registry.Register(new DescribeLogDirsHandler(broker));
        registry.Register(new CreatePartitionsHandler(broker));
        registry.Register(new IncrementalAlterConfigsHandler(broker));
        registry.Register(new DescribeClusterHandler(broker));
        registry.Register(new DescribeProducersHandler(broker));
        registry.Register(new ElectLeadersHandler(broker));
        registry.Register(new AlterPartitionReassignmentsHandler(broker));
        registry.Register(new ListPartitionReassignmentsHandler(broker));
        registry.Register(new ConsumerGroupHeartbeatHandler(broker));
        registry.Register(new ConsumerGroupDescribeHandler(broker));
        registry.Register(new DescribeAclsHandler(broker));
        registry.Register(new CreateAclsHandler(broker));
        registry.Register(new DeleteAclsHandler(broker));
        registry.Register(new DescribeClientQuotasHandler(broker));
        registry.Register(new AlterClientQuotasHandler(broker));
        registry.Register(new AddPartitionsToTxnHandler(broker));
        registry.Register(new AddOffsetsToTxnHandler(broker));
        registry.Register(new EndTxnHandler(broker));
        registry.Register(new TxnOffsetCommitHandler(broker));
        registry.Register(new ListTransactionsHandler(broker));
        registry.Register(new DescribeTransactionsHandler(broker));
        registry.Register(new WriteTxnMarkersHandler(broker));
        registry.Register(new SaslHandshakeHandler());
        registry.Register(new SaslAuthenticateHandler(broker, broker.CreateLogger<SaslAuthenticateHandler>()));
        registry.Register(new DescribeUserScramCredentialsHandler(broker));
        registry.Register(new AlterUserScramCredentialsHandler(broker, broker.CreateLogger<AlterUserScramCredentialsHandler>()));
        return registry;
    }
}
