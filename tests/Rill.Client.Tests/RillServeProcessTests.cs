using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rill.Client.Tests;

/// <summary>Rill.Client against a real `rill serve` process (the built binary), not the in-process broker.</summary>
public class RillServeProcessTests
{
    [Fact]
    public async Task Client_produces_consumes_and_administers_a_real_rill_serve()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        string dir = Directory.CreateTempSubdirectory("rill-client-serve-").FullName;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "rill.dll"), "serve", "--set", $"listeners=PLAINTEXT://127.0.0.1:{port}", "--set", $"log.dirs={dir}", "--set", "group.initial.rebalance.delay.ms=0" })
        {
            info.ArgumentList.Add(arg);
        }
        using var server = Process.Start(info)!;
        try
        {
            var ready = new TaskCompletionSource();
            server.OutputDataReceived += (_, e) => { if (e.Data?.Contains("Rill listening") == true) ready.TrySetResult(); };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            string bootstrap = $"127.0.0.1:{port}";

            await using (var admin = new AdminClient(new AdminClientConfig { BootstrapServers = bootstrap }))
            {
                await admin.CreateTopicsAsync([new NewTopic("served", 2, 1)]);
                var cluster = await admin.DescribeClusterAsync();
                Assert.Single(cluster.Brokers);
                Assert.Equal(port, cluster.Brokers[0].Port);
            }
            await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = bootstrap, CompressionType = Rill.Protocol.Compression.CompressionType.Lz4 }))
            {
                for (int i = 0; i < 100; i++)
                {
                    producer.Produce("served", new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
                }
                await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            await using var consumer = new Consumer<string, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "served-group", AutoOffsetReset = AutoOffsetReset.Earliest });
            consumer.Subscribe("served");
            var keys = new HashSet<string>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await foreach (var r in consumer.ConsumeAsync(cts.Token))
            {
                keys.Add(r.Key);
                if (keys.Count == 100)
                {
                    break;
                }
            }
            Assert.Equal(100, keys.Count);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }
}
