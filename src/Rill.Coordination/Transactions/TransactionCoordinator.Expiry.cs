namespace Rill.Coordination.Transactions;

public sealed partial class TransactionCoordinator
{
    /// <summary>
    /// Aborts every ongoing transaction older than its timeout (fencing its producer) and writes
    /// again the markers of prepared transactions whose last write failed. Runs every
    /// transaction.abort.timed.out.transaction.cleanup.interval.ms; public for tests.
    /// </summary>
    public void CheckTimeouts()
    {
        if (_loading)
        {
            return;
        }
        foreach (var (id, entry) in _entries)
        {
            entry.Executor.Post(() =>
            {
                TransactionMetadata? m = entry.Metadata;
                if (m is null)
                {
                    return;
                }
                if (m.State == TransactionState.Ongoing && NowMs >= m.StartTimestampMs + m.TimeoutMs)
                {
                    FenceAndAbort(entry, m);
                }
                else
                {
                    SendMarkers(entry, m);
                }
            });
        }
    }

    /// <summary>
    /// Removes transactional ids that have been idle (Empty, CompleteCommit, CompleteAbort) for
    /// transactional.id.expiration.ms: a tombstone is written and the id is forgotten (its next
    /// InitProducerId starts afresh). Public for tests.
    /// </summary>
    public void RemoveExpiredIds()
    {
        if (_loading)
        {
            return;
        }
        foreach (var (id, entry) in _entries)
        {
            entry.Executor.Post(() =>
            {
                TransactionMetadata? m = entry.Metadata;
                if (m is null || m.State is not (TransactionState.Empty or TransactionState.CompleteCommit or TransactionState.CompleteAbort)
                    || NowMs < m.LastUpdateTimestampMs + _options.IdExpirationMs)
                {
                    return;
                }
                try
                {
                    _log?.Append(id, TransactionRecords.Key(id), null);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
                {
                    return; // tried again at the next check
                }
                m.State = TransactionState.Dead;
                entry.Metadata = null;
            });
        }
    }

    /// <summary>
    /// Rebuilds the transactional ids from __transaction_state records, oldest first (later records
    /// win; a tombstone removes the id), then serves. Transactions found prepared get their markers
    /// written again and complete; ongoing ones are aborted when their timeout passes. Returns the
    /// number of records applied.
    /// </summary>
    public int Load(IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> records)
    {
        try
        {
            return Replay(records);
        }
        finally
        {
            _loading = false;
        }
    }

    /// <summary>Applies __transaction_state records (see <see cref="Load"/>) without changing the loading state.</summary>
    private int Replay(IEnumerable<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> records)
    {
        int applied = 0;
        var loaded = new Dictionary<string, TransactionMetadata?>(StringComparer.Ordinal);
        foreach (var (key, value) in records)
        {
            if (!TransactionRecords.TryParseKey(key, out string id))
            {
                continue;
            }
            if (value is null)
            {
                loaded[id] = null;
            }
            else if (TransactionRecords.TryParseValue(id, value.Value) is { } m)
            {
                loaded[id] = m;
            }
            applied++;
        }
        foreach (var (id, m) in loaded)
        {
            TransactionEntry entry = Entry(id);
            entry.Executor.Post(() =>
            {
                entry.Metadata = m is null || m.State == TransactionState.Dead ? null : m;
                if (entry.Metadata is { } loadedState)
                {
                    SendMarkers(entry, loadedState);
                }
            });
        }
        return applied;
    }
}
