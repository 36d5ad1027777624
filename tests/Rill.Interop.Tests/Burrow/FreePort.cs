using System.Net;
using System.Net.Sockets;

namespace Rill.Interop.Tests.Burrow;

internal static class FreePort
{
    /// <summary>
    /// A port nothing listens on right now, for tools that cannot bind port 0 and report it
    /// (ZooKeeper's clientPort, Burrow's HTTP address). Another process may take it before the tool
    /// binds it; the window is a few milliseconds.
    /// </summary>
    public static int Next()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
