// Every generated response with a top-level ThrottleTimeMs, marked so the broker can set it without
// knowing the type. A test (ThrottledResponseTests) fails when a new response is missing here.
namespace Rill.Protocol.Messages;

public sealed partial class AddOffsetsToTxnResponse : IThrottledResponse;
public sealed partial class AddPartitionsToTxnResponse : IThrottledResponse;
public sealed partial class AlterClientQuotasResponse : IThrottledResponse;
public sealed partial class AlterConfigsResponse : IThrottledResponse;
public sealed partial class ApiVersionsResponse : IThrottledResponse;
public sealed partial class ConsumerGroupDescribeResponse : IThrottledResponse;
public sealed partial class ConsumerGroupHeartbeatResponse : IThrottledResponse;
public sealed partial class CreatePartitionsResponse : IThrottledResponse;
public sealed partial class CreateTopicsResponse : IThrottledResponse;
public sealed partial class DeleteGroupsResponse : IThrottledResponse;
public sealed partial class DeleteRecordsResponse : IThrottledResponse;
public sealed partial class DeleteTopicsResponse : IThrottledResponse;
public sealed partial class DescribeClientQuotasResponse : IThrottledResponse;
public sealed partial class DescribeClusterResponse : IThrottledResponse;
public sealed partial class DescribeConfigsResponse : IThrottledResponse;
public sealed partial class DescribeGroupsResponse : IThrottledResponse;
public sealed partial class DescribeLogDirsResponse : IThrottledResponse;
public sealed partial class EndTxnResponse : IThrottledResponse;
public sealed partial class FetchResponse : IThrottledResponse;
public sealed partial class FindCoordinatorResponse : IThrottledResponse;
public sealed partial class HeartbeatResponse : IThrottledResponse;
public sealed partial class IncrementalAlterConfigsResponse : IThrottledResponse;
public sealed partial class InitProducerIdResponse : IThrottledResponse;
public sealed partial class JoinGroupResponse : IThrottledResponse;
public sealed partial class LeaveGroupResponse : IThrottledResponse;
public sealed partial class ListGroupsResponse : IThrottledResponse;
public sealed partial class ListOffsetsResponse : IThrottledResponse;
public sealed partial class MetadataResponse : IThrottledResponse;
public sealed partial class OffsetCommitResponse : IThrottledResponse;
public sealed partial class OffsetDeleteResponse : IThrottledResponse;
public sealed partial class OffsetFetchResponse : IThrottledResponse;
public sealed partial class ProduceResponse : IThrottledResponse;
public sealed partial class SyncGroupResponse : IThrottledResponse;
public sealed partial class TxnOffsetCommitResponse : IThrottledResponse;
