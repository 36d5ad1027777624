namespace Rill.Tracking.Simulator.Metrics;

/// <summary>
/// A status line rewritten in place once a second on stderr (a plain new line each time when stderr is not a
/// terminal, so logs stay readable).
/// </summary>
sealed class ProgressLine : IAsyncDisposable
{
    readonly Func<string> _render;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    readonly bool _inPlace = !Console.IsErrorRedirected;

    public ProgressLine(Func<string> render, TimeSpan? every = null)
    {
        _render = render;
        _loop = LoopAsync(every ?? TimeSpan.FromSeconds(1));
    }

    async Task LoopAsync(TimeSpan every)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token)) Write();
        }
        catch (OperationCanceledException) { }
    }

    void Write()
    {
        string line = _render();
        if (_inPlace) Console.Error.Write("\r" + line.PadRight(120));
        else Console.Error.WriteLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        Write();
        if (_inPlace) Console.Error.WriteLine();
        _stop.Dispose();
    }
}
