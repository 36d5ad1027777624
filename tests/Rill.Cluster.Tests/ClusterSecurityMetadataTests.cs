using System.Text.RegularExpressions;
using Rill.Client;
using Rill.Cluster.Tests.Harness;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Cluster.Tests;

/// <summary>
/// SCRAM credentials, ACLs and client quotas live in the cluster metadata store: made through one broker,
/// they apply on the others (kcat logs in, is refused or allowed), and survive a restart of every broker.
/// </summary>
public sealed partial class ClusterSecurityMetadataTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static readonly string[] Secured =
    [
        "listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
        "sasl.enabled.mechanisms=SCRAM-SHA-256",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users=User:ANONYMOUS", // the PLAINTEXT listener (admin, inter-broker fetches)
        "broker.session.timeout.ms=3000",
    ];

    /// <summary>The SASL_PLAINTEXT port of the broker's latest start (its second "Rill listening on" line).</summary>
    private static int SaslPort(RillProcess broker) => int.Parse(ListeningLine().Matches(broker.Output)[^1].Groups[1].Value);

    [GeneratedRegex(@"Rill listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>kcat -L as a SCRAM user on the broker's SASL listener: null when the login fails, else the listing.</summary>
    private static async Task<string?> ListAsAsync(RillProcess broker, string user, string password, string topic)
    {
        ExternalTool.Result result = await ExternalTool.RunAsync("kcat", ["-L", "-b", $"127.0.0.1:{SaslPort(broker)}", "-t", topic, "-m", "5",
            "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-256", "-X", $"sasl.username={user}", "-X", $"sasl.password={password}"],
            timeout: TimeSpan.FromSeconds(20));
        return result.ExitCode == 0 ? result.Stdout : null;
    }

    private static async Task<IReadOnlyDictionary<string, double>> QuotasOfAsync(RillProcess broker, string user)
    {
        var response = await DirectRequest.SendAsync<DescribeClientQuotasResponse>(broker.Port, ApiKey.DescribeClientQuotas, 1, new DescribeClientQuotasRequest
        {
            Components = [new DescribeClientQuotasRequest.DescribeClientQuotasComponent { EntityType = "user", MatchType = 0, Match = user }],
        });
        Assert.Equal(0, response.ErrorCode);
        return (response.Entries ?? []).SelectMany(e => e.Values).ToDictionary(v => v.Key, v => v.Value);
    }

    [Fact]
    public async Task Users_acls_and_quotas_made_through_one_broker_apply_on_the_others_and_survive_a_restart_of_every_broker()
    {
        await using RillCluster cluster = await RillCluster.StartAsync(fixture.Etcd, 3, Secured);
        const string topic = "rider-positions";
        await using (var admin = new AdminClient(new AdminClientConfig { BootstrapServers = cluster.Broker(1).BootstrapServers }))
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 1, 1)]);
        }

        // A SCRAM user made with `rill users` against broker 1 logs in on broker 3 (and 2); a wrong password does not.
        string rill = Path.Combine(AppContext.BaseDirectory, "rill.dll");
        await ExternalTool.RunOkAsync("dotnet", [rill, "users", "--bootstrap-server", cluster.Broker(1).BootstrapServers, "--alter", "--entity-name", "alice",
            "--add-config", "SCRAM-SHA-256=[iterations=4096,password=alice-secret]"], timeout: TimeSpan.FromSeconds(60));
        string listing = (await Eventually.ValueAsync(() => ListAsAsync(cluster.Broker(3), "alice", "alice-secret", topic), l => l is not null,
            "alice logs in on broker 3"))!;
        Assert.Null(await ListAsAsync(cluster.Broker(3), "alice", "wrong-password", topic));
        Assert.NotNull(await ListAsAsync(cluster.Broker(2), "alice", "alice-secret", topic));
        // No ACL yet: alice may not describe the topic.
        Assert.Contains("Topic authorization failed", listing);

        // An ACL created through broker 2 is enforced on broker 1.
        var created = await DirectRequest.SendAsync<CreateAclsResponse>(cluster.Broker(2).Port, ApiKey.CreateAcls, 2, new CreateAclsRequest
        {
            Creations =
            [
                new CreateAclsRequest.AclCreation
                {
                    ResourceType = 2, ResourceName = topic, ResourcePatternType = 3, Principal = "User:alice", Host = "*", Operation = 8, PermissionType = 3,
                },
            ],
        });
        Assert.Equal(0, Assert.Single(created.Results).ErrorCode);
        await Eventually.ValueAsync(() => ListAsAsync(cluster.Broker(1), "alice", "alice-secret", topic),
            l => l is not null && l.Contains($"topic \"{topic}\" with 1 partitions", StringComparison.Ordinal), "broker 1 applies the ACL made on broker 2");

        // A quota set through broker 3 is in force on broker 1.
        var altered = await DirectRequest.SendAsync<AlterClientQuotasResponse>(cluster.Broker(3).Port, ApiKey.AlterClientQuotas, 1, new AlterClientQuotasRequest
        {
            Entries =
            [
                new AlterClientQuotasRequest.AlterClientQuotasEntry
                {
                    Entity = [new AlterClientQuotasRequest.AlterClientQuotasEntity { EntityType = "user", EntityName = "alice" }],
                    Ops = [new AlterClientQuotasRequest.AlterClientQuotasOp { Key = "producer_byte_rate", Value = 1048576 }],
                },
            ],
        });
        Assert.Equal(0, Assert.Single(altered.Entries).ErrorCode);
        await Eventually.ValueAsync(() => QuotasOfAsync(cluster.Broker(1), "alice"), q => q.TryGetValue("producer_byte_rate", out double v) && v == 1048576,
            "broker 1 has the quota set on broker 3");

        // Stop every broker, then start them all again: everything is still there (etcd holds it, not the data dirs).
        foreach (RillProcess broker in cluster.Brokers)
        {
            Assert.Equal(0, await broker.StopAsync());
        }
        foreach (RillProcess broker in cluster.Brokers)
        {
            await broker.RestartAsync();
        }
        Assert.Equal(1048576, (await QuotasOfAsync(cluster.Broker(2), "alice"))["producer_byte_rate"]);
        string after = (await Eventually.ValueAsync(() => ListAsAsync(cluster.Broker(3), "alice", "alice-secret", topic),
            l => l is not null && l.Contains($"topic \"{topic}\" with 1 partitions", StringComparison.Ordinal), "alice logs in and may describe after the restart"))!;
        Assert.DoesNotContain("authorization failed", after);
        Assert.Null(await ListAsAsync(cluster.Broker(1), "alice", "wrong-password", topic));
        foreach (RillProcess broker in cluster.Brokers)
        {
            Assert.False(File.Exists(Path.Combine(broker.DataDirectory, "rill-scram-credentials.json")), "cluster mode keeps no credential file");
        }
    }
}
