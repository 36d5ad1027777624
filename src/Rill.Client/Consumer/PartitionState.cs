namespace Rill.Client.Consuming;

/// <summary>
/// An assigned partition: the consumed position (next offset to hand out), the fetch position
/// (next offset to ask for, ahead by what is buffered), pause flag, and an epoch that a seek or
/// reassignment bumps so buffered and in-flight data from before is dropped.
/// </summary>
internal sealed class PartitionState(TopicPartition partition)
{
    public TopicPartition TopicPartition { get; } = partition;
    public long Position = Offsets.Unset;
    public long FetchPosition = Offsets.Unset;
    public int Epoch;
    public bool Paused;
    public bool Revoked;
    public int Buffered;
    public long HighWatermark = -1;
    public long LastCommitted = Offsets.Unset;

    public void Seek(long offset)
    {
        Position = offset;
        FetchPosition = offset;
        Epoch++;
        Buffered = 0;
    }
}
