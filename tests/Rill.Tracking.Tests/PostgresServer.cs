using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rill.Tracking.Tests;

/// <summary>
/// A throwaway PostgreSQL 15 server: initdb into a temporary directory and pg_ctl start on a free
/// 127.0.0.1 port, both as the postgres user (runuser); stopped and deleted on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly string _dir;

    private PostgresServer(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true";

    public static bool Available => File.Exists(Path.Combine(BinDirectory, "initdb")) && File.Exists(Path.Combine(BinDirectory, "pg_ctl"))
                                    && File.Exists("/usr/sbin/runuser");

    public static async Task<PostgresServer> StartAsync()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-pg-").FullName;
        await RunAsync("chown", $"postgres {dir}");
        string data = Path.Combine(dir, "data");
        await RunAsync("runuser", $"-u postgres -- {BinDirectory}/initdb -D {data} -A trust -U postgres --no-sync");
        int port = FreePort();
        await RunAsync("runuser", $"-u postgres -- {BinDirectory}/pg_ctl -D {data} -l {dir}/log -w -t 60 " +
                                  $"-o \"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off\" start");
        return new PostgresServer(dir, port);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await output} {await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("runuser", $"-u postgres -- {BinDirectory}/pg_ctl -D {Path.Combine(_dir, "data")} -m immediate -w stop");
        }
        finally
        {
            Directory.Delete(_dir, true);
        }
    }
}

/// <summary>A test that needs the PostgreSQL binaries; skipped with the reason when they are not installed.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!PostgresServer.Available)
        {
            Skip = $"PostgreSQL binaries not found ({PostgresServer.BinDirectory}/initdb, pg_ctl, runuser): install postgresql-15 to run this test.";
        }
    }
}
