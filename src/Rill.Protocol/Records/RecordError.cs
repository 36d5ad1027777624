namespace Rill.Protocol.Records;

/// <summary>
/// One record that made its batch invalid (KIP-467): its index among the records of the partition's
/// produce data (counted across batches, so the index within the batch for the usual one batch), and why.
/// </summary>
public readonly record struct RecordError(int BatchIndex, string Message);

/// <summary>Builds the partition-level message that goes with <see cref="RecordError"/>s.</summary>
public static class RecordErrors
{
    /// <summary>A summary naming how many records were rejected and the first three reasons.</summary>
    public static string Summarize(IReadOnlyList<RecordError> errors)
    {
        var first = errors.Take(3).Select(e => $"record {e.BatchIndex}: {e.Message}");
        return $"{errors.Count} record(s) rejected, so the whole batch was; first {Math.Min(3, errors.Count)}: {string.Join("; ", first)}";
    }
}
