using System.Threading.Channels;

namespace Rill.Coordination.Groups;

/// <summary>
/// Runs work items one at a time, in order, on the thread pool: the single owner of one group's
/// state. The state machine itself takes no locks; everything that touches it is posted here.
/// </summary>
internal sealed class SerialExecutor
{
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });

    public SerialExecutor() => _ = Task.Run(RunAsync);

    /// <summary>Queues <paramref name="action"/>; false when the executor has completed (its group is gone).</summary>
    public bool Post(Action action) => _work.Writer.TryWrite(action);

    /// <summary>Runs <paramref name="func"/> on the owner and returns its result.</summary>
    public Task<T> Invoke<T>(Func<T> func)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool queued = Post(() =>
        {
            try
            {
                done.TrySetResult(func());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        if (!queued)
        {
            done.TrySetException(new ChannelClosedException("The group was removed."));
        }
        return done.Task;
    }

    public void Complete() => _work.Writer.TryComplete();

    private async Task RunAsync()
    {
        await foreach (Action action in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                // A bug in one item must not stop the group: report it and keep serving.
                Console.Error.WriteLine($"Group work item failed: {e}");
            }
        }
    }
}
