using System.Net;

namespace Rill.Broker.Security;

/// <summary>
/// Brute-force limit per client IP: after <c>rill.sasl.max.failed.logins.per.ip</c> failed SASL logins
/// from one address within a minute, that address's further logins are refused without checking the
/// credentials until its failures age out (each still waits connection.failed.authentication.delay.ms
/// and closes its connection). 0 turns the limit off. Other addresses are not affected.
/// </summary>
internal sealed class FailedLoginLimiter(int maxFailures, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Dictionary<IPAddress, Queue<DateTimeOffset>> _failures = [];
    private readonly Lock _lock = new();

    public bool IsBlocked(EndPoint? remote)
    {
        if (maxFailures <= 0 || remote is not IPEndPoint ip)
        {
            return false;
        }
        lock (_lock)
        {
            return _failures.TryGetValue(ip.Address, out var times) && Prune(times) >= maxFailures;
        }
    }

    public void Record(EndPoint? remote)
    {
        if (maxFailures <= 0 || remote is not IPEndPoint ip)
        {
            return;
        }
        lock (_lock)
        {
            if (!_failures.TryGetValue(ip.Address, out var times))
            {
                if (_failures.Count > 100_000)
                {
                    PruneAll();
                }
                _failures[ip.Address] = times = new Queue<DateTimeOffset>();
            }
            times.Enqueue(time.GetUtcNow());
            while (times.Count > maxFailures)
            {
                times.Dequeue();
            }
        }
    }

    private int Prune(Queue<DateTimeOffset> times)
    {
        DateTimeOffset cutoff = time.GetUtcNow() - Window;
        while (times.Count > 0 && times.Peek() < cutoff)
        {
            times.Dequeue();
        }
        return times.Count;
    }

    private void PruneAll()
    {
        foreach (var (address, times) in _failures.ToList())
        {
            if (Prune(times) == 0)
            {
                _failures.Remove(address);
            }
        }
    }
}
