using System.Net;
using System.Net.Sockets;

namespace Rill.Cluster.Tests.Harness;

/// <summary>
/// A TCP proxy on 127.0.0.1 (port 0) in front of one server, for network partitions in tests. Cut() blackholes
/// the link in both directions: nothing is forwarded either way on open connections and new connections are
/// accepted but never reach the server (so peers see a silent network, as with a pulled cable, not a refused
/// port). Heal() lets everything flow again: bytes held during the cut are delivered late, as TCP would
/// after its retransmissions, so connections that survived their peers' timeouts resume.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accept;
    private TaskCompletionSource _open = NewOpen();
    private volatile int _upstreamPort;

    public TcpProxy(int upstreamPort = 0)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Where clients connect.</summary>
    public int Port { get; }

    /// <summary>The server's port (settable after start: a broker advertises the proxy before it knows its own port).</summary>
    public int UpstreamPort { get => _upstreamPort; set => _upstreamPort = value; }

    public bool IsCut => !_open.Task.IsCompleted;

    public void Cut()
    {
        lock (_sockets)
        {
            if (_open.Task.IsCompleted)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Heal()
    {
        lock (_sockets)
        {
            _open.TrySetResult();
        }
    }

    private static TaskCompletionSource NewOpen()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private Task WaitOpenAsync()
    {
        lock (_sockets)
        {
            return _open.Task.WaitAsync(_stop.Token);
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client = await _listener.AcceptSocketAsync(_stop.Token);
                Track(client);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private void Track(Socket socket)
    {
        lock (_sockets)
        {
            _sockets.Add(socket);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await WaitOpenAsync(); // a connection made during a cut reaches nobody until the heal
            Track(server);
            await server.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
            Task up = PumpAsync(client, server);
            Task down = PumpAsync(server, client);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        byte[] buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                await WaitOpenAsync();
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await WaitOpenAsync(); // bytes read just before a cut are held until the heal
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            _sockets.ForEach(s => s.Dispose());
            _sockets.Clear();
        }
        try
        {
            await _accept;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
