using Rill.Client;
using Rill.Cluster.Store;

namespace Rill.Server.Cli;

/// <summary>
/// `rill cluster`: the cluster id, the active controller and every live broker (DescribeCluster), and with
/// --etcd-endpoints the health of each etcd member the cluster keeps its metadata in.
/// </summary>
internal static class ClusterCommand
{
    public const string Help = """
        Usage: rill cluster --bootstrap-server HOST:PORT [--etcd-endpoints URL[,URL...]]

        Describes the cluster: its id, the active controller and every live broker (id, address, rack).

        Options:
          --bootstrap-server HOST:PORT   a broker to connect to (required)
          --etcd-endpoints URLS          also check each etcd member (rill.metadata.etcd.endpoints)
          -h, --help                     this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("cluster", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--etcd-endpoints"], []);
        await using var admin = new AdminClient(CliRunner.Configure(a, new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-cluster" }));
        var cluster = await admin.DescribeClusterAsync().ConfigureAwait(false);
        io.Out.WriteLine($"Cluster id: {cluster.ClusterId}");
        io.Out.WriteLine($"Controller: {cluster.ControllerId}");
        io.Out.WriteLine($"Brokers: {cluster.Brokers.Count}");
        foreach (var broker in cluster.Brokers)
        {
            string controller = broker.NodeId == cluster.ControllerId ? " (controller)" : "";
            io.Out.WriteLine($"  broker {broker.NodeId} at {broker.Host}:{broker.Port} rack={broker.Rack ?? "null"}{controller}");
        }
        if (a.Get("--etcd-endpoints") is { } endpoints)
        {
            int healthy = 0;
            IReadOnlyList<string> list = EtcdMetadataStore.ParseEndpoints(endpoints);
            io.Out.WriteLine($"etcd members: {list.Count}");
            foreach (string endpoint in list)
            {
                await using var store = new EtcdMetadataStore([endpoint]);
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                    await store.GetAsync("/health", timeout.Token).ConfigureAwait(false);
                    io.Out.WriteLine($"  {endpoint} healthy");
                    healthy++;
                }
                catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException)
                {
                    io.Out.WriteLine($"  {endpoint} unhealthy: {e.Message}");
                }
            }
            return healthy > list.Count / 2 ? 0 : 1;
        }
        return 0;
    });
}
