using System.Collections.Concurrent;

namespace Rill.Broker.WebConsole;

/// <summary>
/// Consumer lag over time, kept in memory by the console (Kafka keeps none; Burrow keeps a window
/// like this): every interval, each group with committed offsets gets a point (total lag in records,
/// largest lag in seconds); the newest <see cref="Capacity"/> points per group are kept. Groups that
/// lose their offsets are dropped at the next sample.
/// </summary>
internal sealed class LagHistory : IDisposable
{
    public const int Capacity = 360;

    private readonly BrokerConsole _console;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Queue<LagPoint>> _groups = new(StringComparer.Ordinal);
    private readonly ITimer _timer;
    private int _sampling;

    public LagHistory(BrokerConsole console, TimeProvider time, TimeSpan interval)
    {
        _console = console;
        _time = time;
        _timer = time.CreateTimer(_ => Sample(), null, TimeSpan.Zero, interval);
    }

    internal void Sample()
    {
        if (Interlocked.Exchange(ref _sampling, 1) == 1)
        {
            return;
        }
        try
        {
            long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string group in _console.GroupIdsWithOffsets())
            {
                seen.Add(group);
                var (records, seconds) = _console.GroupLag(group, now);
                Queue<LagPoint> points = _groups.GetOrAdd(group, _ => new Queue<LagPoint>());
                lock (points)
                {
                    points.Enqueue(new LagPoint(now, records, seconds));
                    while (points.Count > Capacity)
                    {
                        points.Dequeue();
                    }
                }
            }
            foreach (string gone in _groups.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _groups.TryRemove(gone, out _);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or IOException)
        {
            // the broker is stopping, or a log changed under the sample: the next tick tries again
        }
        finally
        {
            Volatile.Write(ref _sampling, 0);
        }
    }

    public IReadOnlyList<LagPoint> Get(string group)
    {
        if (!_groups.TryGetValue(group, out Queue<LagPoint>? points))
        {
            return [];
        }
        lock (points)
        {
            return points.ToList();
        }
    }

    public void Dispose() => _timer.Dispose();
}
