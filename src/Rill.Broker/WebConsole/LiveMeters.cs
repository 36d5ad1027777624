using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Rill.Broker.Metrics;

namespace Rill.Broker.WebConsole;

/// <summary>
/// The console's live view of the broker's own instruments (meter <c>Rill.Broker</c>): a
/// <see cref="MeterListener"/> adds up bytes and messages per topic, requests, open connections and
/// request total times, and a one-second tick turns the totals into rates kept for five minutes.
/// The instruments are called once per batch or request, so this adds a dictionary lookup per
/// produced or fetched batch and an array increment per request, nothing per record.
/// </summary>
internal sealed class LiveMeters : IDisposable
{
    public const int Capacity = 300;

    /// <summary>Upper bounds (ms) of the latency buckets; the last bucket is open.</summary>
    private static readonly double[] BucketsMs = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private enum Kind { BytesIn, MessagesIn, BytesOut, Requests, TotalTime, Connections }

    private sealed class TopicTotals
    {
        public long BytesIn, MessagesIn, BytesOut;
        public long LastBytesIn, LastMessagesIn;
        public double BytesInRate, MessagesInRate;
    }

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, TopicTotals> _topics = new(StringComparer.Ordinal);
    private readonly long[] _latency = new long[BucketsMs.Length + 1];
    private readonly TimeProvider _time;
    private readonly ITimer _tick;
    private readonly LivePoint[] _points = new LivePoint[Capacity];
    private int _next, _count;
    private long _bytesIn, _bytesOut, _messagesIn, _requests, _connections;
    private long _lastBytesIn, _lastBytesOut, _lastMessagesIn, _lastRequests, _lastTick;

    public LiveMeters(TimeProvider time)
    {
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != BrokerMeters.MeterName)
            {
                return;
            }
            Kind? kind = instrument.Name switch
            {
                "rill.topic.in.bytes" => Kind.BytesIn,
                "rill.topic.in.messages" => Kind.MessagesIn,
                "rill.topic.out.bytes" => Kind.BytesOut,
                "rill.requests" => Kind.Requests,
                "rill.request.total.time" => Kind.TotalTime,
                "rill.connection.active" => Kind.Connections,
                _ => null,
            };
            if (kind is { } k)
            {
                listener.EnableMeasurementEvents(instrument, k);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
        _lastTick = _time.GetTimestamp();
        _tick = _time.CreateTimer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch ((Kind)state!)
        {
            case Kind.BytesIn:
                Interlocked.Add(ref _bytesIn, value);
                Interlocked.Add(ref Topic(tags).BytesIn, value);
                break;
            case Kind.MessagesIn:
                Interlocked.Add(ref _messagesIn, value);
                Interlocked.Add(ref Topic(tags).MessagesIn, value);
                break;
            case Kind.BytesOut:
                Interlocked.Add(ref _bytesOut, value);
                Interlocked.Add(ref Topic(tags).BytesOut, value);
                break;
            case Kind.Requests:
                Interlocked.Add(ref _requests, value);
                break;
            case Kind.Connections:
                Interlocked.Add(ref _connections, value);
                break;
        }
    }

    private void OnDouble(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if ((Kind)state! != Kind.TotalTime)
        {
            return;
        }
        double ms = seconds * 1000;
        int bucket = 0;
        while (bucket < BucketsMs.Length && ms > BucketsMs[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _latency[bucket]);
    }

    private TopicTotals Topic(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string name = tags.Length > 0 && tags[0].Value is string s ? s : "";
        return _topics.TryGetValue(name, out TopicTotals? totals) ? totals : _topics.GetOrAdd(name, _ => new TopicTotals());
    }

    private void Tick()
    {
        lock (_points)
        {
            long now = _time.GetTimestamp();
            double seconds = Math.Max(0.001, _time.GetElapsedTime(_lastTick, now).TotalSeconds);
            _lastTick = now;
            long bytesIn = Volatile.Read(ref _bytesIn), bytesOut = Volatile.Read(ref _bytesOut);
            long messagesIn = Volatile.Read(ref _messagesIn), requests = Volatile.Read(ref _requests);
            var counts = new long[_latency.Length];
            for (int i = 0; i < counts.Length; i++)
            {
                counts[i] = Interlocked.Exchange(ref _latency[i], 0);
            }
            _points[_next] = new LivePoint(_time.GetUtcNow().ToUnixTimeMilliseconds(),
                (bytesIn - _lastBytesIn) / seconds, (bytesOut - _lastBytesOut) / seconds, (messagesIn - _lastMessagesIn) / seconds,
                (requests - _lastRequests) / seconds, Percentile(counts, 0.5), Percentile(counts, 0.99), Volatile.Read(ref _connections));
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
            (_lastBytesIn, _lastBytesOut, _lastMessagesIn, _lastRequests) = (bytesIn, bytesOut, messagesIn, requests);
            foreach (TopicTotals t in _topics.Values)
            {
                long b = Volatile.Read(ref t.BytesIn), m = Volatile.Read(ref t.MessagesIn);
                t.BytesInRate = (b - t.LastBytesIn) / seconds;
                t.MessagesInRate = (m - t.LastMessagesIn) / seconds;
                (t.LastBytesIn, t.LastMessagesIn) = (b, m);
            }
        }
    }

    /// <summary>The upper bound of the bucket holding the quantile (0 when nothing was recorded).</summary>
    private static double Percentile(long[] counts, double q)
    {
        long total = counts.Sum();
        if (total == 0)
        {
            return 0;
        }
        long rank = (long)Math.Ceiling(total * q), seen = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return i < BucketsMs.Length ? BucketsMs[i] : BucketsMs[^1] * 2;
            }
        }
        return BucketsMs[^1] * 2;
    }

    public long Connections => Volatile.Read(ref _connections);

    /// <summary>Points newer than <paramref name="sinceMs"/> (Unix ms), oldest first.</summary>
    public IReadOnlyList<LivePoint> Since(long sinceMs)
    {
        lock (_points)
        {
            var result = new List<LivePoint>(_count);
            for (int i = 0; i < _count; i++)
            {
                LivePoint p = _points[(_next - _count + i + Capacity) % Capacity];
                if (p.Time > sinceMs)
                {
                    result.Add(p);
                }
            }
            return result;
        }
    }

    /// <summary>Bytes and messages in per second over the last tick for a topic (0 when none).</summary>
    public (double BytesIn, double MessagesIn) TopicRates(string topic)
        => _topics.TryGetValue(topic, out TopicTotals? t) ? (t.BytesInRate, t.MessagesInRate) : (0, 0);

    public void Dispose()
    {
        _tick.Dispose();
        _listener.Dispose();
    }
}
