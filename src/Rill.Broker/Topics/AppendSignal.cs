namespace Rill.Broker.Topics;

/// <summary>
/// Wakes long-polling fetches when a partition grows. A waiter takes the current task; an
/// append completes it and clears it, so the next waiter arms a fresh one. Costs nothing when
/// nobody waits.
/// </summary>
internal sealed class AppendSignal
{
    private TaskCompletionSource? _waiters;

    public Task WhenAppended()
    {
        TaskCompletionSource? current = Volatile.Read(ref _waiters);
        if (current is not null)
        {
            return current.Task;
        }
        var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _waiters, fresh, null) ?? fresh).Task;
    }

    /// <summary>True while a waiter is parked on the next append (tests wait for it instead of sleeping).</summary>
    internal bool HasWaiters => Volatile.Read(ref _waiters) is not null;

    public void Notify()
    {
        if (Volatile.Read(ref _waiters) is not null)
        {
            Interlocked.Exchange(ref _waiters, null)?.TrySetResult();
        }
    }
}

internal static class PartitionSignals
{
    public static Task WhenAnyAppended(List<Partition?> partitions)
    {
        var tasks = new List<Task>(partitions.Count);
        foreach (Partition? partition in partitions)
        {
            if (partition is not null)
            {
                tasks.Add(partition.Appended.WhenAppended());
            }
        }
        return tasks.Count == 0 ? new TaskCompletionSource().Task : Task.WhenAny(tasks);
    }

    /// <summary>Waits for <paramref name="changed"/>, the timeout, or cancellation, whichever comes first. Never throws on timeout.</summary>
    public static async Task WaitAsync(Task changed, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await changed.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }
}
