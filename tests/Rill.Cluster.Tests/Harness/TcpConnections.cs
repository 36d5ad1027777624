using System.Globalization;

namespace Rill.Cluster.Tests.Harness;

/// <summary>
/// Established TCP connections between two local processes, read from /proc (Linux): the sockets a process holds are the
/// socket inodes among its file descriptors, and /proc/net/tcp{,6} give each socket's local and remote ports and state.
/// </summary>
public static class TcpConnections
{
    private const string Established = "01";

    /// <summary>
    /// Connections <paramref name="server"/> accepted on <paramref name="port"/> whose other end is held by
    /// <paramref name="client"/>, counted on the server's side.
    /// </summary>
    public static int Accepted(int server, int port, int client)
    {
        HashSet<long> serverSockets = Sockets(server);
        HashSet<long> clientSockets = Sockets(client);
        var entries = Entries().Where(e => e.State == Established).ToArray();
        // The client's ends of connections to the port: their local ports.
        var clientPorts = entries.Where(e => clientSockets.Contains(e.Inode) && e.RemotePort == port).Select(e => e.LocalPort).ToHashSet();
        return entries.Count(e => serverSockets.Contains(e.Inode) && e.LocalPort == port && clientPorts.Contains(e.RemotePort));
    }

    private static HashSet<long> Sockets(int pid)
    {
        var inodes = new HashSet<long>();
        foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                string? target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(long.Parse(target["socket:[".Length..^1], CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }
        return inodes;
    }

    private sealed record Entry(int LocalPort, int RemotePort, string State, long Inode);

    private static IEnumerable<Entry> Entries()
    {
        foreach (string file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }
            foreach (string line in File.ReadLines(file).Skip(1))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10)
                {
                    continue;
                }
                yield return new Entry(Port(f[1]), Port(f[2]), f[3], long.Parse(f[9], CultureInfo.InvariantCulture));
            }
        }
    }

    private static int Port(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
