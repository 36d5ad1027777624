namespace Rill.Broker.Config;

public sealed partial class BrokerConfig
{
    /// <summary>replica.lag.time.max.ms: a follower not caught up for longer leaves the ISR.</summary>
    public long ReplicaLagTimeMaxMs => GetLong("replica.lag.time.max.ms");

    /// <summary>unclean.leader.election.enable: let a replica outside the ISR lead (losing records); false by default.</summary>
    public bool UncleanLeaderElectionEnable => GetBool("unclean.leader.election.enable");

    /// <summary>rill.cluster.failure.probe.interval.ms: the fast failure detector's probe interval (0: off).</summary>
    public int ClusterFailureProbeIntervalMs => GetInt("rill.cluster.failure.probe.interval.ms");
}
