using System.Diagnostics;
using System.Text;
using Rill.Cluster.Store;

namespace Rill.Cluster.Tests.Harness;

/// <summary>
/// An etcd cluster of N members (Debian's etcd-server 3.4) on 127.0.0.1, each with its own data
/// directory and free ports. Members can be killed (-9), paused (SIGSTOP/SIGCONT) and restarted.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    public const string EtcdPath = "/usr/bin/etcd";

    private readonly TempDirectory _root = new();
    private readonly Member[] _members;

    private EtcdCluster(Member[] members) => _members = members;

    public static bool Available => File.Exists(EtcdPath);

    /// <summary>Comma-separated client URLs: the value for rill.metadata.etcd.endpoints.</summary>
    public string Endpoints => string.Join(',', _members.Select(m => m.ClientUrl));

    public IReadOnlyList<string> EndpointList => _members.Select(m => m.ClientUrl).ToArray();

    public int Count => _members.Length;

    public static async Task<EtcdCluster> StartAsync(int size = 3)
    {
        int[] ports = FreePorts.Take(size * 2);
        var members = new Member[size];
        for (int i = 0; i < size; i++)
        {
            members[i] = new Member($"m{i}", $"http://127.0.0.1:{ports[2 * i]}", $"http://127.0.0.1:{ports[2 * i + 1]}");
        }
        var cluster = new EtcdCluster(members);
        string initial = string.Join(',', members.Select(m => $"{m.Name}={m.PeerUrl}"));
        try
        {
            foreach (Member member in members)
            {
                member.DataDir = Path.Combine(cluster._root.Path, member.Name);
                member.Arguments = $"--name {member.Name} --data-dir {member.DataDir} --listen-client-urls {member.ClientUrl} " +
                    $"--advertise-client-urls {member.ClientUrl} --listen-peer-urls {member.PeerUrl} " +
                    $"--initial-advertise-peer-urls {member.PeerUrl} --initial-cluster {initial} " +
                    $"--initial-cluster-state new --initial-cluster-token rill-test --heartbeat-interval 50 --election-timeout 500";
                member.Start();
            }
            await cluster.WaitHealthyAsync().ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits (bounded) until a write through the cluster succeeds.</summary>
    public async Task WaitHealthyAsync()
    {
        await using var store = new EtcdMetadataStore(EndpointList);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return await store.TryCommitAsync([], [new Write("/health", Encoding.UTF8.GetBytes("ok"))]).ConfigureAwait(false);
            }
            catch (Grpc.Core.RpcException)
            {
                return false;
            }
        }, "etcd cluster healthy: " + string.Join("\n", _members.Select(m => m.Output)), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public void Kill(int member) => _members[member].Kill();

    public void Pause(int member) => Signals.Send(_members[member].Pid, 19);

    public void Resume(int member) => Signals.Send(_members[member].Pid, 18);

    public void Restart(int member)
    {
        _members[member].Kill();
        _members[member].Start(existing: true);
    }

    public ValueTask DisposeAsync()
    {
        foreach (Member member in _members)
        {
            member.Kill();
        }
        _root.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Member(string name, string clientUrl, string peerUrl)
    {
        private Process? _process;
        private readonly StringBuilder _output = new();

        public string Name { get; } = name;
        public string ClientUrl { get; } = clientUrl;
        public string PeerUrl { get; } = peerUrl;
        public string DataDir { get; set; } = "";
        public string Arguments { get; set; } = "";
        public int Pid => _process?.Id ?? throw new InvalidOperationException("not running");

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Start(bool existing = false)
        {
            string arguments = existing ? Arguments.Replace("--initial-cluster-state new", "--initial-cluster-state existing", StringComparison.Ordinal) : Arguments;
            var info = new ProcessStartInfo(EtcdPath, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            _process = Process.Start(info) ?? throw new InvalidOperationException("etcd did not start");
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_output)
            {
                if (_output.Length < 64 * 1024)
                {
                    _output.AppendLine(line);
                }
            }
        }

        public void Kill()
        {
            if (_process is { HasExited: false } p)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
            _process?.Dispose();
            _process = null;
        }
    }
}
