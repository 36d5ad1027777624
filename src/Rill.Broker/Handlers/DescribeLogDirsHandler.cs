using Rill.Broker.Security.Authorization;
using Rill.Broker.Topics;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

/// <summary>
/// DescribeLogDirs (key 35), v0-4. The one log directory with the size of every partition in it
/// (all topics for a null list; named topics and partitions otherwise, unknown ones left out, as
/// Kafka does). Offset lag is 0 (the leader is the only replica); no future logs. v3 adds the
/// top-level error code, v4 the total and usable bytes of the volume holding the directory.
/// </summary>
internal sealed class DescribeLogDirsHandler : ApiHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>
{
    private readonly KafkaBroker _broker;

    public DescribeLogDirsHandler(KafkaBroker broker) => _broker = broker;

    public override ApiKey Key => ApiKey.DescribeLogDirs;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ValueTask<DescribeLogDirsResponse?> HandleAsync(RequestContext context, DescribeLogDirsRequest request)
    {
        if (!_broker.Authorizer.AllowsCluster(context, AclOperation.Describe))
        {
            return ValueTask.FromResult<DescribeLogDirsResponse?>(new DescribeLogDirsResponse { ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed });
        }
        string dir = _broker.Topics.LogDirectory;
        var result = new DescribeLogDirsResponse.DescribeLogDirsResult { LogDir = dir };
        if (request.Topics is null)
        {
            foreach (Topic topic in _broker.Topics.All.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                result.Topics.Add(Describe(topic, topic.Partitions));
            }
        }
        else
        {
            foreach (var group in request.Topics.GroupBy(t => t.Topic, StringComparer.Ordinal))
            {
                if (_broker.Topics.Find(group.Key) is not { } topic)
                {
                    continue;
                }
                var partitions = group.SelectMany(t => t.Partitions).Distinct().Order()
                    .Select(topic.GetPartition).OfType<Partition>().ToList();
                if (partitions.Count > 0)
                {
                    result.Topics.Add(Describe(topic, partitions));
                }
            }
        }
        try
        {
            var drive = new DriveInfo(dir);
            result.TotalBytes = drive.TotalSize;
            result.UsableBytes = drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unknown volume: the fields keep their -1 default.
        }
        var response = new DescribeLogDirsResponse();
        response.Results.Add(result);
        return ValueTask.FromResult<DescribeLogDirsResponse?>(response);
    }

    private static DescribeLogDirsResponse.DescribeLogDirsTopic Describe(Topic topic, IEnumerable<Partition> partitions)
    {
        var described = new DescribeLogDirsResponse.DescribeLogDirsTopic { Name = topic.Name };
        foreach (Partition partition in partitions)
        {
            described.Partitions.Add(new DescribeLogDirsResponse.DescribeLogDirsPartition
            {
                PartitionIndex = partition.Index,
                PartitionSize = partition.OpenedLog?.SizeInBytes ?? 0,
                OffsetLag = 0,
                IsFutureKey = false,
            });
        }
        return described;
    }
}
