using Rill.Protocol;

namespace Rill.Storage;

/// <summary>
/// Outcome of <see cref="PartitionLog.Append"/>. On <see cref="ErrorCode.None"/> the batches were written at
/// [FirstOffset, LastOffset]. When <see cref="IsDuplicate"/> is set the batch had already been appended by the
/// same idempotent producer: nothing was written and the offsets are those of the original append (the broker
/// answers the producer with them and no error, as Kafka does).
/// </summary>
public readonly record struct AppendResult(
    ErrorCode Error,
    long FirstOffset,
    long LastOffset,
    long LogAppendTime,
    long LogStartOffset,
    bool IsDuplicate)
{
    internal static AppendResult Failed(ErrorCode error, long logStartOffset)
        => new(error, -1, -1, -1, logStartOffset, false);
}
