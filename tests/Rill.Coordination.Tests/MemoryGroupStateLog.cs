using Rill.Coordination.Groups;

namespace Rill.Coordination.Tests;

/// <summary>An in-memory __consumer_offsets: records in append order, replayable into a new coordinator.</summary>
internal sealed class MemoryGroupStateLog : IGroupStateLog
{
    private readonly Lock _lock = new();
    private readonly List<(byte[] Key, byte[]? Value)> _records = [];

    public bool Fail { get; set; }

    public void Append(string groupId, IReadOnlyList<(byte[] Key, byte[]? Value)> records)
    {
        if (Fail)
        {
            throw new IOException("log unavailable");
        }
        lock (_lock)
        {
            _records.AddRange(records);
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
