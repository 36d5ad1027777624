using System.Collections.Concurrent;
using Rill.Coordination.Groups;
using Rill.Protocol;

namespace Rill.Coordination.Transactions;

/// <summary>
/// The transaction coordinator: one state machine (<see cref="TransactionMetadata"/>) per
/// transactional id, owned by that id's <see cref="SerialExecutor"/>. Every state change is
/// written to <see cref="ITransactionStateLog"/> (__transaction_state) before it is answered;
/// EndTxn moves the transaction to PrepareCommit/PrepareAbort, answers, then writes the markers
/// through <see cref="ITransactionMarkerWriter"/> and completes it. A periodic check aborts
/// transactions older than their timeout, retries failed marker writes and removes ids idle for
/// transactional.id.expiration.ms.
/// </summary>
public sealed partial class TransactionCoordinator : IDisposable
{
    private readonly TransactionCoordinatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ITransactionStateLog? _log;
    private readonly ITransactionMarkerWriter _markers;
    private readonly IProducerIdAllocator _producerIds;
    private readonly ConcurrentDictionary<string, TransactionEntry> _entries = new(StringComparer.Ordinal);
    private readonly ITimer _abortTimer;
    private readonly ITimer _expireTimer;
    private volatile bool _loading;

    public TransactionCoordinator(TransactionCoordinatorOptions options, IProducerIdAllocator producerIds,
        ITransactionMarkerWriter markers, ITransactionStateLog? log = null, TimeProvider? time = null)
    {
        _options = options;
        _producerIds = producerIds;
        _markers = markers;
        _log = log;
        _time = time ?? TimeProvider.System;
        _abortTimer = _time.CreateTimer(_ => CheckTimeouts(), null,
            TimeSpan.FromMilliseconds(options.AbortCheckIntervalMs), TimeSpan.FromMilliseconds(options.AbortCheckIntervalMs));
        _expireTimer = _time.CreateTimer(_ => RemoveExpiredIds(), null,
            TimeSpan.FromMilliseconds(options.RemoveExpiredIntervalMs), TimeSpan.FromMilliseconds(options.RemoveExpiredIntervalMs));
    }

    /// <summary>True between <see cref="BeginLoading"/> and the end of <see cref="Load"/>.</summary>
    public bool IsLoading => _loading;

    public void BeginLoading() => _loading = true;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private TransactionEntry Entry(string transactionalId) =>
        _entries.GetOrAdd(transactionalId, static _ => new TransactionEntry());

    private Task<T> OnOwner<T>(string transactionalId, Func<TransactionEntry, T> work) =>
        Entry(transactionalId).Executor.Invoke(() => work(_entries[transactionalId]));

    /// <summary>
    /// InitProducerId with a transactional id: a new id gets a producer id at epoch 0; a known one
    /// gets its epoch bumped (fencing the previous producer), a new producer id when the epoch is
    /// exhausted. An ongoing transaction is aborted first (the caller gets CONCURRENT_TRANSACTIONS
    /// and retries). KIP-360: <paramref name="expectedProducerId"/>/<paramref name="expectedEpoch"/>
    /// (-1 when absent) must name the current producer, or the one just replaced (a retry).
    /// </summary>
    public Task<InitProducerIdResult> InitProducerIdAsync(string transactionalId, int timeoutMs,
        long expectedProducerId = -1, short expectedEpoch = -1)
    {
        if (Availability(transactionalId) is var unavailable and not ErrorCode.None)
        {
            return Task.FromResult(new InitProducerIdResult(unavailable, -1, -1));
        }
        if (timeoutMs <= 0 || timeoutMs > _options.MaxTimeoutMs)
        {
            return Task.FromResult(new InitProducerIdResult(ErrorCode.InvalidTransactionTimeout, -1, -1));
        }
        return OnOwner(transactionalId, entry => InitProducerId(entry, transactionalId, timeoutMs, expectedProducerId, expectedEpoch));
    }

    private InitProducerIdResult InitProducerId(TransactionEntry entry, string transactionalId, int timeoutMs,
        long expectedProducerId, short expectedEpoch)
    {
        long now = NowMs;
        TransactionMetadata? m = entry.Metadata;
        if (m is null)
        {
            m = new TransactionMetadata(transactionalId)
            {
                ProducerId = _producerIds.Next(),
                ProducerEpoch = 0,
                TimeoutMs = timeoutMs,
                State = TransactionState.Empty,
                LastUpdateTimestampMs = now,
            };
            if (!Persist(m))
            {
                return new InitProducerIdResult(ErrorCode.CoordinatorNotAvailable, -1, -1);
            }
            entry.Metadata = m;
            return new InitProducerIdResult(ErrorCode.None, m.ProducerId, m.ProducerEpoch);
        }

        if (expectedProducerId != -1)
        {
            bool current = expectedProducerId == m.ProducerId && expectedEpoch == m.ProducerEpoch;
            bool retry = m.State is TransactionState.Empty
                && ((expectedProducerId == m.ProducerId && expectedEpoch == m.LastProducerEpoch)
                    || (expectedProducerId == m.PreviousProducerId && m.LastProducerEpoch == expectedEpoch));
            if (retry)
            {
                return new InitProducerIdResult(ErrorCode.None, m.ProducerId, m.ProducerEpoch);
            }
            if (!current)
            {
                return new InitProducerIdResult(ErrorCode.ProducerFenced, -1, -1);
            }
        }

        switch (m.State)
        {
            case TransactionState.PrepareCommit:
            case TransactionState.PrepareAbort:
            case TransactionState.PrepareEpochFence:
                return new InitProducerIdResult(ErrorCode.ConcurrentTransactions, -1, -1);
            case TransactionState.Ongoing:
                // Fence the producer of the ongoing transaction and abort it at the bumped epoch.
                if (!FenceAndAbort(entry, m))
                {
                    return new InitProducerIdResult(ErrorCode.CoordinatorNotAvailable, -1, -1);
                }
                return new InitProducerIdResult(ErrorCode.ConcurrentTransactions, -1, -1);
        }

        var before = Copy(m);
        BumpEpoch(m);
        m.TimeoutMs = timeoutMs;
        m.State = TransactionState.Empty;
        m.Partitions.Clear();
        m.StartTimestampMs = -1;
        m.LastUpdateTimestampMs = now;
        if (!Persist(m))
        {
            Restore(m, before);
            return new InitProducerIdResult(ErrorCode.CoordinatorNotAvailable, -1, -1);
        }
        return new InitProducerIdResult(ErrorCode.None, m.ProducerId, m.ProducerEpoch);
    }

    /// <summary>Moves to the next epoch; a new producer id at epoch 0 once the epoch is exhausted.</summary>
    private void BumpEpoch(TransactionMetadata m)
    {
        m.LastProducerEpoch = m.ProducerEpoch;
        if (m.ProducerEpoch >= short.MaxValue - 1)
        {
            m.PreviousProducerId = m.ProducerId;
            m.ProducerId = _producerIds.Next();
            m.ProducerEpoch = 0;
        }
        else
        {
            m.ProducerEpoch++;
        }
    }

    /// <summary>Writes the state; false (state unchanged in the log) when the write failed.</summary>
    private bool Persist(TransactionMetadata m)
    {
        if (_log is null)
        {
            return true;
        }
        try
        {
            _log.Append(m.TransactionalId, TransactionRecords.Key(m.TransactionalId), TransactionRecords.Value(m));
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static TransactionMetadata Copy(TransactionMetadata m)
    {
        var copy = new TransactionMetadata(m.TransactionalId)
        {
            ProducerId = m.ProducerId,
            PreviousProducerId = m.PreviousProducerId,
            ProducerEpoch = m.ProducerEpoch,
            LastProducerEpoch = m.LastProducerEpoch,
            TimeoutMs = m.TimeoutMs,
            State = m.State,
            StartTimestampMs = m.StartTimestampMs,
            LastUpdateTimestampMs = m.LastUpdateTimestampMs,
        };
        copy.Partitions.UnionWith(m.Partitions);
        return copy;
    }

    private static void Restore(TransactionMetadata m, TransactionMetadata from)
    {
        m.ProducerId = from.ProducerId;
        m.PreviousProducerId = from.PreviousProducerId;
        m.ProducerEpoch = from.ProducerEpoch;
        m.LastProducerEpoch = from.LastProducerEpoch;
        m.TimeoutMs = from.TimeoutMs;
        m.State = from.State;
        m.StartTimestampMs = from.StartTimestampMs;
        m.LastUpdateTimestampMs = from.LastUpdateTimestampMs;
        m.Partitions.Clear();
        m.Partitions.UnionWith(from.Partitions);
    }

    /// <summary>The state of one transactional id, or null when it is unknown.</summary>
    public Task<TransactionSnapshot?> DescribeAsync(string transactionalId) =>
        _entries.ContainsKey(transactionalId)
            ? OnOwner(transactionalId, entry => entry.Metadata?.Snapshot())
            : Task.FromResult<TransactionSnapshot?>(null);

    /// <summary>The state of every known transactional id.</summary>
    public async Task<IReadOnlyList<TransactionSnapshot>> ListAsync()
    {
        var result = new List<TransactionSnapshot>();
        foreach (string id in _entries.Keys.ToList())
        {
            if (await DescribeAsync(id).ConfigureAwait(false) is { } snapshot)
            {
                result.Add(snapshot);
            }
        }
        return result;
    }

    public void Dispose()
    {
        _abortTimer.Dispose();
        _expireTimer.Dispose();
        foreach (var entry in _entries.Values)
        {
            entry.Executor.Complete();
        }
    }

    private sealed class TransactionEntry
    {
        public SerialExecutor Executor { get; } = new();
        public TransactionMetadata? Metadata { get; set; }
    }
}
