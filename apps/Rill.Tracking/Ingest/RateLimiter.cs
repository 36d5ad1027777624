using System.Collections.Concurrent;

namespace Rill.Tracking.Ingest;

/// <summary>
/// A token bucket per rider (shared by all of a rider's connections): <c>rate</c> frames per second
/// sustained, bursts of twice that. Frames over the limit are refused; a connection that keeps
/// sending over the limit is a flood and gets closed.
/// </summary>
public sealed class RateLimiter(double ratePerSecond)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly double _burst = Math.Max(2, ratePerSecond * 2);

    public bool TryTake(string riderId, long nowTicks)
    {
        Bucket bucket = _buckets.GetOrAdd(riderId, _ => new Bucket(_burst, nowTicks));
        lock (bucket)
        {
            double elapsed = (nowTicks - bucket.LastTicks) / (double)TimeSpan.TicksPerSecond;
            bucket.LastTicks = nowTicks;
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + elapsed * ratePerSecond);
            if (bucket.Tokens < 1)
            {
                return false;
            }
            bucket.Tokens -= 1;
            return true;
        }
    }

    private sealed class Bucket(double tokens, long lastTicks)
    {
        public double Tokens = tokens;
        public long LastTicks = lastTicks;
    }
}
