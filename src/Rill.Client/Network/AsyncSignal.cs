namespace Rill.Client.Network;

/// <summary>An auto-reset wake-up for a background loop: Set() any number of times, one WaitAsync wakes.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _set;

    public void Set()
    {
        if (Interlocked.Exchange(ref _set, 1) == 0)
        {
            Volatile.Read(ref _tcs).TrySetResult();
        }
    }

    /// <summary>Waits until Set() or the timeout; true when signalled.</summary>
    public async Task<bool> WaitAsync(int timeoutMs, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _set, 0) == 1)
        {
            Interlocked.Exchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            return true;
        }
        Task wait = Volatile.Read(ref _tcs).Task;
        if (Volatile.Read(ref _set) == 0 && timeoutMs != 0)
        {
            try
            {
                await wait.WaitAsync(timeoutMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(timeoutMs), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        if (Interlocked.Exchange(ref _set, 0) == 1)
        {
            Interlocked.Exchange(ref _tcs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            return true;
        }
        return false;
    }
}
