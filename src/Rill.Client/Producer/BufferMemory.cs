namespace Rill.Client.Producing;

/// <summary>buffer.memory: bytes held by unsent batches. Reserving blocks (up to max.block.ms) when it is used up.</summary>
internal sealed class BufferMemory(long total)
{
    private readonly object _gate = new();
    private long _used;
    private int _waiting;

    public long Used { get { lock (_gate) { return _used; } } }

    /// <summary>Callers blocked in <see cref="Reserve"/> right now (tests wait on this instead of sleeping).</summary>
    public int Waiting { get { lock (_gate) { return _waiting; } } }

    public void Reserve(int bytes, int timeoutMs)
    {
        lock (_gate)
        {
            long deadline = Environment.TickCount64 + timeoutMs;
            while (_used > 0 && _used + bytes > total)
            {
                long remaining = deadline - Environment.TickCount64;
                _waiting++;
                bool woken;
                try
                {
                    woken = remaining > 0 && Monitor.Wait(_gate, (int)Math.Min(remaining, int.MaxValue));
                }
                finally
                {
                    _waiting--;
                }
                if (!woken)
                {
                    throw new KafkaException(Rill.Protocol.ErrorCode.RequestTimedOut,
                        $"buffer.memory ({total} bytes) stayed full for max.block.ms ({timeoutMs} ms).");
                }
            }
            _used += bytes;
        }
    }

    public void Release(int bytes)
    {
        lock (_gate)
        {
            _used -= bytes;
            Monitor.PulseAll(_gate);
        }
    }
}
