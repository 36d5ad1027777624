namespace Rill.Broker.Config;

public sealed partial class BrokerConfig
{
    /// <summary>replica.lag.time.max.ms: a follower not caught up for longer leaves the ISR.</summary>
    public long ReplicaLagTimeMaxMs => GetLong("replica.lag.time.max.ms");

    /// <summary>replica.high.watermark.checkpoint.interval.ms: how often replication-offset-checkpoint is written.</summary>
    public long ReplicaHighWatermarkCheckpointIntervalMs => GetLong("replica.high.watermark.checkpoint.interval.ms");

    /// <summary>unclean.leader.election.enable: let a replica outside the ISR lead (losing records); false by default.</summary>
    public bool UncleanLeaderElectionEnable => GetBool("unclean.leader.election.enable");
}
