using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Streaming;

/// <summary>One server-sent event, already encoded ("event: name\ndata: json\n\n").</summary>
public sealed class SseMessage(string name, byte[] bytes)
{
    public string Name { get; } = name;
    public byte[] Bytes { get; } = bytes;

    public static SseMessage Create<T>(string name, T payload)
    {
        byte[] json = TrackingJson.Serialize(payload);
        byte[] head = Encoding.UTF8.GetBytes($"event: {name}\ndata: ");
        var bytes = new byte[head.Length + json.Length + 2];
        head.CopyTo(bytes, 0);
        json.CopyTo(bytes, head.Length);
        bytes[^2] = (byte)'\n';
        bytes[^1] = (byte)'\n';
        return new SseMessage(name, bytes);
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

    public void Publish<T>(string key, string name, T payload)
    {
        if (HasSubscribers(key))
        {
            Publish(key, SseMessage.Create(name, payload));
        }
    }

    /// <summary>Writes the stream: the initial messages, then everything published to the key, until the client goes away.</summary>
    public async Task StreamAsync(HttpContext context, string key, IEnumerable<SseMessage> initial)
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
            foreach (SseMessage m in initial)
            {
                await response.Body.WriteAsync(m.Bytes, aborted);
            }
            await response.Body.FlushAsync(aborted);
            while (!aborted.IsCancellationRequested)
            {
                using var keepAlive = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                keepAlive.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    SseMessage m = await channel.Reader.ReadAsync(keepAlive.Token);
                    await response.Body.WriteAsync(m.Bytes, aborted);
                    while (channel.Reader.TryRead(out SseMessage? more))
                    {
                        await response.Body.WriteAsync(more.Bytes, aborted);
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
