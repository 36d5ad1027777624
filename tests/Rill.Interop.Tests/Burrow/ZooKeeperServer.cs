using System.Net.Sockets;

namespace Rill.Interop.Tests.Burrow;

/// <summary>
/// Debian's ZooKeeper 3.8 (apt zookeeper) standalone on 127.0.0.1, a free port and a temporary data
/// directory, with the admin server (a fixed port 8080) off. Burrow needs it for its own coordination.
/// </summary>
internal sealed class ZooKeeperServer : IDisposable
{
    private const string Jar = "/usr/share/java/zookeeper.jar";
    private readonly TempDirectory _dir;
    private readonly BackgroundTool _java;

    private ZooKeeperServer(TempDirectory dir, BackgroundTool java, int port)
    {
        _dir = dir;
        _java = java;
        Port = port;
    }

    public int Port { get; }

    public static async Task<ZooKeeperServer> StartAsync()
    {
        if (!File.Exists(Jar))
        {
            throw new InvalidOperationException($"{Jar} is missing: bash .ci/run installs Debian's zookeeper package.");
        }
        var dir = new TempDirectory();
        int port = FreePort.Next();
        string config = Path.Combine(dir.Path, "zoo.cfg");
        await File.WriteAllTextAsync(config, $"""
            tickTime=2000
            dataDir={Path.Combine(dir.Path, "data")}
            clientPort={port}
            clientPortAddress=127.0.0.1
            admin.enableServer=false
            4lw.commands.whitelist=srvr
            """);
        var java = new BackgroundTool("java", ["-Xmx128m", "-Dzookeeper.admin.enableServer=false", "-cp", Jar,
            "org.apache.zookeeper.server.ZooKeeperServerMain", config]);
        var server = new ZooKeeperServer(dir, java, port);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                Assert.False(java.HasExited, "ZooKeeper exited:\n" + java.Tail());
                return (await FourLetterWordAsync(port, "srvr")).Contains("Mode:", StringComparison.Ordinal);
            }, "ZooKeeper serving requests (srvr shows its mode)", TimeSpan.FromSeconds(30));
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    /// <summary>
    /// Sends a ZooKeeper four-letter command and returns the answer ("" when it cannot connect). The
    /// port opens before the server serves: until then srvr answers "not currently serving requests".
    /// </summary>
    private static async Task<string> FourLetterWordAsync(int port, string command)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(command));
            using var reader = new StreamReader(stream);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return await reader.ReadToEndAsync(timeout.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        _java.Dispose();
        _dir.Dispose();
    }
}
