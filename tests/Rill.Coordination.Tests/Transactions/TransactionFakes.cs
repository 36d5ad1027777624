using Rill.Coordination.Transactions;

namespace Rill.Coordination.Tests.Transactions;

/// <summary>An in-memory __transaction_state: records in append order, replayable into a new coordinator.</summary>
internal sealed class MemoryTransactionLog : ITransactionStateLog
{
    private readonly Lock _lock = new();
    private readonly List<(byte[] Key, byte[]? Value)> _records = [];

    public bool Fail { get; set; }

    public void Append(string transactionalId, byte[] key, byte[]? value)
    {
        if (Fail)
        {
            throw new IOException("log unavailable");
        }
        lock (_lock)
        {
            _records.Add((key, value));
        }
    }

    public List<(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte>? Value)> Records
    {
        get
        {
            lock (_lock)
            {
                return _records.Select(r => ((ReadOnlyMemory<byte>)r.Key, r.Value is null ? (ReadOnlyMemory<byte>?)null : r.Value)).ToList();
            }
        }
    }
}

/// <summary>Records every marker write; writes complete at once unless <see cref="Hold"/> or <see cref="Fail"/> is set.</summary>
internal sealed class RecordingMarkerWriter : ITransactionMarkerWriter
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _held;

    public List<(long ProducerId, short Epoch, bool Commit, List<TxnPartition> Partitions)> Written { get; } = [];
    public bool Hold { get; set; }
    public bool Fail { get; set; }

    public Task WriteMarkersAsync(long producerId, short producerEpoch, bool commit, IReadOnlyCollection<TxnPartition> partitions)
    {
        lock (_lock)
        {
            if (Fail)
            {
                return Task.FromException(new IOException("partition unavailable"));
            }
            Written.Add((producerId, producerEpoch, commit, partitions.OrderBy(p => p.Topic).ThenBy(p => p.Partition).ToList()));
            if (Hold)
            {
                _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _held.Task;
            }
            return Task.CompletedTask;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return Written.Count;
            }
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            Hold = false;
            _held?.TrySetResult();
        }
    }
}

internal sealed class CountingProducerIds(long first = 1000) : IProducerIdAllocator
{
    private long _next = first;

    public long Next() => Interlocked.Increment(ref _next) - 1;
}
