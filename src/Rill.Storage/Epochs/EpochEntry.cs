namespace Rill.Storage.Epochs;

/// <summary>One leader epoch and the first offset its leader appended (Kafka's EpochEntry).</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);

/// <summary>An OffsetForLeaderEpoch answer: the epoch found and its end offset; (-1, -1) when undefined.</summary>
public readonly record struct EpochEndOffset(int Epoch, long EndOffset)
{
    public static EpochEndOffset Undefined => new(-1, -1);

    public bool IsUndefined => EndOffset < 0;
}
