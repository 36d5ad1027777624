using Rill.Broker.Replication;
using Rill.Protocol.Messages;

namespace Rill.Broker.Handlers;

internal sealed partial class ProduceHandler
{
    /// <summary>
    /// A produce this broker would refuse as an ISR follower: first catch up with the store's leadership of those
    /// topics (<see cref="LeadershipCatchUp"/>), so that a broker the store already elected does not answer
    /// NOT_LEADER_OR_FOLLOWER only because its watch is a few milliseconds late.
    /// </summary>
    private async ValueTask<ProduceResponse?> CatchUpThenHandleAsync(RequestContext context, ProduceRequest request,
        ReplicaManager replication, List<string> topics)
    {
        TimeSpan wait = TimeSpan.FromMilliseconds(Math.Clamp(request.TimeoutMs, 0, (int)LeadershipCatchUp.MaxWait.TotalMilliseconds));
        if (wait > TimeSpan.Zero)
        {
            await LeadershipCatchUp.CatchUpAsync(replication.Registry, topics, wait).ConfigureAwait(false);
        }
        return await HandleCurrent(context, request).ConfigureAwait(false);
    }
}
