using Rill.Broker.Security.Authorization;
using Rill.Coordination.Transactions;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// WriteTxnMarkers (key 27), v0-1: appends the given commit/abort markers to local partitions. Rill's
/// own coordinator writes its markers in-process; this API is what an operator's tool uses to abort
/// a hanging transaction (KIP-664, `rill transactions --abort`, kafka-transactions.sh abort), with the
/// producer id, epoch and coordinator epoch that DescribeProducers reported. A marker with an older
/// producer epoch than the partition knows is refused by the log.
/// </summary>
internal sealed class WriteTxnMarkersHandler : ApiHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse>
{
    private readonly KafkaBroker _broker;

    public WriteTxnMarkersHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.WriteTxnMarkers;
    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override async ValueTask<WriteTxnMarkersResponse?> HandleAsync(RequestContext context, WriteTxnMarkersRequest request)
    {
        var response = new WriteTxnMarkersResponse();
        bool allowed = _broker.Authorizer.AllowsCluster(context, AclOperation.ClusterAction);
        foreach (var marker in request.Markers)
        {
            var result = new WriteTxnMarkersResponse.WritableTxnMarkerResult { ProducerId = marker.ProducerId };
            foreach (var topic in marker.Topics)
            {
                var topicResult = new WriteTxnMarkersResponse.WritableTxnMarkerTopicResult { Name = topic.Name };
                foreach (int partition in topic.PartitionIndexes)
                {
                    ErrorCode error = !allowed ? ErrorCode.ClusterAuthorizationFailed : await _broker.Transactions.Markers.AppendMarkerAsync(marker.ProducerId, marker.ProducerEpoch,
                        marker.TransactionResult, marker.CoordinatorEpoch, new TxnPartition(topic.Name, partition)).ConfigureAwait(false);
                    topicResult.Partitions.Add(new WriteTxnMarkersResponse.WritableTxnMarkerPartitionResult { PartitionIndex = partition, ErrorCode = (short)error });
                }
                result.Topics.Add(topicResult);
            }
            response.Markers.Add(result);
        }
        return response;
    }
}
