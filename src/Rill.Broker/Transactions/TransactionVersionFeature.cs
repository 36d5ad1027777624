using Rill.Protocol.Messages;

namespace Rill.Broker.Transactions;

/// <summary>
/// Kafka's transaction.version feature (KIP-584 features in ApiVersions v3+, KIP-890): this broker supports
/// levels 0-2 and finalizes the configured one (rill.transaction.version, 2 by default as a new Kafka 4.x
/// cluster). Level 2 turns transactions v2 on: Produce v12 adds the partition to the transaction implicitly,
/// TxnOffsetCommit v5 adds the group's offsets partition, EndTxn v5 bumps the producer epoch. A level of 0 is
/// not listed among the finalized features, as Kafka does.
/// </summary>
internal sealed class TransactionVersionFeature
{
    public const string Name = "transaction.version";
    public const short MinSupported = 0;
    public const short MaxSupported = 2;

    public TransactionVersionFeature(short finalizedLevel, long epoch)
    {
        FinalizedLevel = finalizedLevel;
        Epoch = epoch;
    }

    public short FinalizedLevel { get; }

    /// <summary>FinalizedFeaturesEpoch: when the level was read (start time, ms), so a later start with another level wins in clients.</summary>
    public long Epoch { get; }

    /// <summary>True when Produce v12 / TxnOffsetCommit v5 / EndTxn v5 follow transactions v2.</summary>
    public bool V2Enabled => FinalizedLevel >= 2;

    /// <summary>Adds the supported and finalized levels to an ApiVersions answer (written for v3+ only, as tagged fields).</summary>
    public void Describe(ApiVersionsResponse response)
    {
        response.SupportedFeatures.Add(new ApiVersionsResponse.SupportedFeatureKey { Name = Name, MinVersion = MinSupported, MaxVersion = MaxSupported });
        response.FinalizedFeaturesEpoch = Epoch;
        if (FinalizedLevel > 0)
        {
            response.FinalizedFeatures.Add(new ApiVersionsResponse.FinalizedFeatureKey
            {
                Name = Name,
                MinVersionLevel = FinalizedLevel,
                MaxVersionLevel = FinalizedLevel,
            });
        }
    }
}
