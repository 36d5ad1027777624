namespace Rill.Broker.Config;

public sealed partial class BrokerConfig
{
    /// <summary>replica.lag.time.max.ms: a follower not caught up for longer leaves the ISR.</summary>
    public long ReplicaLagTimeMaxMs => GetLong("replica.lag.time.max.ms");

    /// <summary>unclean.leader.election.enable: let a replica outside the ISR lead (losing records); false by default.</summary>
    public bool UncleanLeaderElectionEnable => GetBool("unclean.leader.election.enable");

    /// <summary>auto.leader.rebalance.enable: the controller moves leadership back to preferred replicas (cluster mode).</summary>
    public bool AutoLeaderRebalanceEnable => GetBool("auto.leader.rebalance.enable");

    /// <summary>leader.imbalance.check.interval.seconds: how often the controller checks the leader balance.</summary>
    public long LeaderImbalanceCheckIntervalSeconds => GetLong("leader.imbalance.check.interval.seconds");

    /// <summary>leader.imbalance.per.broker.percentage (3.x): a broker's share of non-preferred leaders that triggers rebalancing.</summary>
    public int LeaderImbalancePerBrokerPercentage => GetInt("leader.imbalance.per.broker.percentage");
    /// <summary>rill.cluster.failure.probe.interval.ms: the fast failure detector's probe interval (0: off).</summary>
    public int ClusterFailureProbeIntervalMs => GetInt("rill.cluster.failure.probe.interval.ms");
}
