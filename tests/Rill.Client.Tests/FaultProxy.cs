using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Rill.Client.Tests;

/// <summary>What the proxy does to Produce traffic.</summary>
public enum ProduceFault
{
    None,

    /// <summary>Produce requests never reach the broker (nothing is written; the client times out).</summary>
    DropRequests,

    /// <summary>Produce requests reach the broker, their responses never come back (written, but the client does not know).</summary>
    DropResponses,
}

/// <summary>
/// A Kafka-aware TCP proxy on 127.0.0.1:0 in front of one broker (which advertises the proxy's port,
/// so every client connection goes through it). It reads the frames both ways, can withhold Produce
/// requests or responses, and records the size of each Produce request and how many InitProducerId
/// requests passed.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _sockets = new();
    private int _initProducerIds;

    public FaultProxy()
    {
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The broker's real port; set before the first client connects.</summary>
    public int TargetPort { get; set; }

    public volatile ProduceFault Fault;

    /// <summary>Frame sizes (without the 4-byte length prefix) of the Produce requests that passed.</summary>
    public ConcurrentQueue<int> ProduceRequestSizes { get; } = new();

    public int InitProducerIdRequests => Volatile.Read(ref _initProducerIds);

    /// <summary>(producer id, epoch) each InitProducerId request carried (v3+; (-1, -1) asks for a new id).</summary>
    public ConcurrentQueue<(long ProducerId, short Epoch)> InitProducerIdBumps { get; } = new();

    /// <summary>The producer id and epoch fields of an InitProducerId request frame (flexible header v2 and body, null transactional id).</summary>
    private static (long, short) ReadInitProducerId(byte[] frame)
    {
        short version = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(6));
        if (version < 3)
        {
            return (-1, -1);
        }
        int p = 12;
        short clientIdLength = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(p));
        p += 2 + Math.Max((short)0, clientIdLength);
        p += 1; // no tagged fields in the header
        Assert.Equal(0, frame[p]); // null transactional id (compact nullable string)
        p += 1 + 4; // then transaction_timeout_ms
        return (BinaryPrimitives.ReadInt64BigEndian(frame.AsSpan(p)), BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(p + 8)));
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                Socket client = await _listener.AcceptSocketAsync(_stop.Token);
                var broker = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await broker.ConnectAsync(IPAddress.Loopback, TargetPort, _stop.Token);
                _sockets.Add(client);
                _sockets.Add(broker);
                var produceIds = new ConcurrentDictionary<int, bool>();
                _ = PumpAsync(client, broker, toBroker: true, produceIds);
                _ = PumpAsync(broker, client, toBroker: false, produceIds);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool toBroker, ConcurrentDictionary<int, bool> produceIds)
    {
        try
        {
            while (true)
            {
                byte[] size = new byte[4];
                if (!await ReadExactlyAsync(from, size))
                {
                    break;
                }
                byte[] frame = new byte[4 + BinaryPrimitives.ReadInt32BigEndian(size)];
                size.CopyTo(frame, 0);
                if (!await ReadExactlyAsync(from, frame.AsMemory(4)))
                {
                    break;
                }
                if (toBroker)
                {
                    short apiKey = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(4));
                    int correlationId = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(8));
                    if (apiKey == 22)
                    {
                        Interlocked.Increment(ref _initProducerIds);
                        InitProducerIdBumps.Enqueue(ReadInitProducerId(frame));
                    }
                    if (apiKey == 0)
                    {
                        if (Fault == ProduceFault.DropRequests)
                        {
                            continue;
                        }
                        produceIds[correlationId] = true;
                        ProduceRequestSizes.Enqueue(frame.Length - 4);
                    }
                }
                else if (produceIds.TryRemove(BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4)), out _) && Fault == ProduceFault.DropResponses)
                {
                    continue;
                }
                await to.SendAsync(frame, SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        from.Dispose();
        to.Dispose();
    }

    private async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, _stop.Token);
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
