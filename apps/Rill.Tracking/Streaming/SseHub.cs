using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Streaming;

/// <summary>One server-sent event, already encoded ("event: name\ndata: json\n\n").</summary>
public sealed class SseMessage(string name, byte[] bytes, string? orderingKey = null, long ts = 0)
{
    public string Name { get; } = name;
    public byte[] Bytes { get; } = bytes;

    /// <summary>When set, a stream sends this message only if <see cref="Ts"/> is newer than the last one it sent for the key
    /// (the position sent on connect and the worker's own copy of it are one event, not two).</summary>
    public string? OrderingKey { get; } = orderingKey;
    public long Ts { get; } = ts;

    public static SseMessage Create<T>(string name, T payload, string? orderingKey = null, long ts = 0)
    {
        byte[] json = TrackingJson.Serialize(payload);
        byte[] head = Encoding.UTF8.GetBytes($"event: {name}\ndata: ");
        var bytes = new byte[head.Length + json.Length + 2];
        head.CopyTo(bytes, 0);
        json.CopyTo(bytes, head.Length);
        bytes[^2] = (byte)'\n';
        bytes[^1] = (byte)'\n';
        return new SseMessage(name, bytes, orderingKey, ts);
    }
}

/// <summary>
/// Subscribers by channel key ("order:ID", "restaurant:ID", "support"). A message goes only to
/// the subscribers of its key; each subscriber has a bounded queue that drops the oldest message
/// when a slow client falls behind.
/// </summary>
public sealed class SseHub
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<SseMessage>, byte>> _subscribers = new(StringComparer.Ordinal);

    public static string OrderKey(string orderId) => "order:" + orderId;
    public static string RestaurantKey(string restaurantId) => "restaurant:" + restaurantId;
    public const string SupportKey = "support";

    public bool HasSubscribers(string key) => _subscribers.TryGetValue(key, out var set) && !set.IsEmpty;

    public int SubscriberCount => _subscribers.Values.Sum(s => s.Count);

    public Channel<SseMessage> Subscribe(string key)
    {
        var channel = Channel.CreateBounded<SseMessage>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _subscribers.GetOrAdd(key, _ => new()).TryAdd(channel, 0);
        return channel;
    }

    public void Unsubscribe(string key, Channel<SseMessage> channel)
    {
        if (_subscribers.TryGetValue(key, out var set))
        {
            set.TryRemove(channel, out _);
        }
    }

    public void Publish(string key, SseMessage message)
    {
        if (_subscribers.TryGetValue(key, out var set))
        {
            foreach (var channel in set.Keys)
            {
                channel.Writer.TryWrite(message);
            }
        }
    }

    public void Publish<T>(string key, string name, T payload, string? orderingKey = null, long ts = 0)
    {
        if (HasSubscribers(key))
        {
            Publish(key, SseMessage.Create(name, payload, orderingKey, ts));
        }
    }

    /// <summary>
    /// Writes the stream: the initial messages (computed after subscribing, so nothing published
    /// in between is missed), then everything published to the key, until the client goes away.
    /// </summary>
    private static ValueTask WriteAsync(HttpResponse response, SseMessage m, Dictionary<string, long> last, CancellationToken cancellationToken)
    {
        if (m.OrderingKey is { } k)
        {
            if (last.TryGetValue(k, out long ts) && m.Ts <= ts)
            {
                return ValueTask.CompletedTask;
            }
            last[k] = m.Ts;
        }
        return response.Body.WriteAsync(m.Bytes, cancellationToken);
    }

    public async Task StreamAsync(HttpContext context, string key, Func<IEnumerable<SseMessage>> initial)
    {
        IHostApplicationLifetime lifetime = context.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        HttpResponse response = context.Response;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        Channel<SseMessage> channel = Subscribe(key);
        CancellationToken aborted = stop.Token;
        try
        {
            await response.Body.WriteAsync(": connected\n\n"u8.ToArray(), aborted);
            var last = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (SseMessage m in initial())
            {
                await WriteAsync(response, m, last, aborted);
            }
            await response.Body.FlushAsync(aborted);
            while (!aborted.IsCancellationRequested)
            {
                using var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                keepAlive.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    SseMessage m = await channel.Reader.ReadAsync(keepAlive.Token);
                    await WriteAsync(response, m, last, aborted);
                    while (channel.Reader.TryRead(out SseMessage? more))
                    {
                        await WriteAsync(response, more, last, aborted);
                    }
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), aborted);
                }
                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            Unsubscribe(key, channel);
        }
    }
}
