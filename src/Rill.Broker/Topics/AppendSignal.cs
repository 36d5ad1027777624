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
    /// <summary>Completes when any of <paramref name="partitions"/> is appended to. One partition (the common consumer) costs no list and no WhenAny.</summary>
    public static Task WhenAnyAppended(List<Partition?> partitions)
    {
        Partition? only = null;
        int count = 0;
        foreach (Partition? partition in partitions)
        {
            if (partition is not null)
            {
                only = partition;
                count++;
            }
        }
        if (count <= 1)
        {
            return only is null ? new TaskCompletionSource().Task : only.Appended.WhenAppended();
        }
        var tasks = new List<Task>(count);
        foreach (Partition? partition in partitions)
        {
            if (partition is not null)
            {
                tasks.Add(partition.Appended.WhenAppended());
            }
        }
        return Task.WhenAny(tasks);
    }

    /// <summary>
    /// Waits for <paramref name="changed"/>, the timeout, or cancellation, whichever comes first. A timeout is the
    /// ordinary end of a long poll on an idle partition, so it throws nothing (an idle consumer waits out its
    /// fetch.wait.max.ms twice a second: a TimeoutException each time cost a throw, a stack trace and ~1 KB);
    /// cancellation throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task WaitAsync(Task changed, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        // Whole milliseconds, rounded up: timers fire in ms, and a shorter wait would end before the deadline.
        TimeSpan wait = TimeSpan.FromMilliseconds(Math.Ceiling(timeout.TotalMilliseconds));
        await changed.WaitAsync(wait, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
