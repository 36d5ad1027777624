using Microsoft.Extensions.Logging;
using Rill.Coordination.Groups;

namespace Rill.Broker.Metrics;

/// <summary>
/// Logs and counts every completed group rebalance (<see cref="GroupCoordinatorOptions.Rebalanced"/>):
/// one info line per rebalance with the generation and members, <c>rill.group.rebalances</c> per group
/// and <c>rill.group.rebalance.time</c> for classic groups. Rebalances are rare, so the tag lists are
/// built per call.
/// </summary>
internal sealed class GroupRebalanceReporter(ILogger log)
{
    public void Report(GroupRebalance r)
    {
        BrokerMeters.GroupRebalances.Add(1, [new("group", r.GroupId), new("type", r.GroupType)]);
        if (r.Duration is { } duration)
        {
            BrokerMeters.GroupRebalanceTime.Record(duration.TotalSeconds, [new("type", r.GroupType)]);
            log.LogInformation("Group {Group} ({Type}) rebalanced to generation {Generation} with {Members} members (protocol {Protocol}, leader {Leader}) in {Elapsed} ms",
                r.GroupId, r.GroupType, r.Generation, r.Members, r.Protocol ?? "none", r.Leader ?? "none", (long)duration.TotalMilliseconds);
        }
        else
        {
            log.LogInformation("Group {Group} ({Type}) has a new target assignment at epoch {Generation} for {Members} members (assignor {Protocol})",
                r.GroupId, r.GroupType, r.Generation, r.Members, r.Protocol ?? "none");
        }
    }
}
