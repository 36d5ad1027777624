using Rill.Broker.Security.Authorization;
using Rill.Hosting;
using Rill.Server;
using Rill.Server.Cli;

namespace Rill.Server.Tests;

/// <summary>`rill acls` (kafka-acls) against a broker with ACLs on, where the PLAINTEXT principal is a super user.</summary>
public class AclsCliTests : IAsyncLifetime
{
    private EmbeddedBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
    {
        ["authorizer.class.name"] = AclAuthorizer.StandardAuthorizerClass,
        ["super.users"] = "User:ANONYMOUS",
    });

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private static async Task<(int Code, string Out, string Err)> RillAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(args, new Console3(new StringReader(""), output, error)).WaitAsync(TimeSpan.FromSeconds(60));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Add_list_and_remove_as_kafka_acls_does()
    {
        string b = _broker.BootstrapServers;
        var added = await RillAsync("acls", "--bootstrap-server", b, "--add", "--allow-principal", "User:alice", "--operation", "Read",
            "--operation", "Describe", "--topic", "orders", "--group", "riders-", "--resource-pattern-type", "prefixed");
        Assert.True(added.Code == 0, added.Err);
        Assert.Contains("Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=PREFIXED)`: ", added.Out);
        var denied = await RillAsync("acls", "--bootstrap-server", b, "--add", "--deny-principal", "User:bob", "--operation", "All", "--cluster");
        Assert.True(denied.Code == 0, denied.Err);

        AclAuthorizer authorizer = _broker.Host.Broker.Authorizer;
        Assert.Equal(5, authorizer.Acls.Count);
        Assert.True(authorizer.Authorize("User:alice", null, AclOperation.Read, AclResourceType.Group, "riders-eu"));
        Assert.False(authorizer.Authorize("User:bob", null, AclOperation.Describe, AclResourceType.Cluster, AclNames.ClusterName));

        var listed = await RillAsync("acls", "--bootstrap-server", b, "--list", "--topic", "orders", "--resource-pattern-type", "match");
        Assert.Equal(0, listed.Code);
        Assert.Contains("Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=PREFIXED)`: ", listed.Out);
        Assert.Contains(" \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW) ", listed.Out);
        Assert.DoesNotContain("GROUP", listed.Out);
        var bobs = await RillAsync("acls", "--bootstrap-server", b, "--list", "--principal", "User:bob");
        Assert.Contains("(principal=User:bob, host=*, operation=ALL, permissionType=DENY)", bobs.Out);
        Assert.DoesNotContain("alice", bobs.Out);

        var removed = await RillAsync("acls", "--bootstrap-server", b, "--remove", "--force", "--topic", "orders", "--resource-pattern-type", "prefixed");
        Assert.True(removed.Code == 0, removed.Err);
        Assert.Contains("Removed ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=PREFIXED)`", removed.Out);
        Assert.Equal(3, authorizer.Acls.Count);
        Assert.Equal(0, (await RillAsync("acls", "--bootstrap-server", b, "--remove", "--cluster", "--deny-principal", "User:bob", "--operation", "All")).Code);
        Assert.Equal(2, authorizer.Acls.Count);
    }

    [Fact]
    public async Task Producer_and_consumer_shortcuts_grant_what_kafka_acls_grants()
    {
        string b = _broker.BootstrapServers;
        Assert.Equal(0, (await RillAsync("acls", "--bootstrap-server", b, "--add", "--allow-principal", "User:p", "--producer", "--topic", "t")).Code);
        Assert.Equal(0, (await RillAsync("acls", "--bootstrap-server", b, "--add", "--allow-principal", "User:c", "--consumer", "--topic", "t", "--group", "g")).Code);
        var ops = _broker.Host.Broker.Authorizer.Acls.Select(a => (a.Entry.Principal, a.Pattern.Type, a.Entry.Operation)).ToHashSet();
        Assert.Equal(new HashSet<(string, AclResourceType, AclOperation)>
        {
            ("User:p", AclResourceType.Topic, AclOperation.Write), ("User:p", AclResourceType.Topic, AclOperation.Describe),
            ("User:p", AclResourceType.Topic, AclOperation.Create), ("User:p", AclResourceType.Cluster, AclOperation.IdempotentWrite),
            ("User:c", AclResourceType.Topic, AclOperation.Read), ("User:c", AclResourceType.Topic, AclOperation.Describe),
            ("User:c", AclResourceType.Group, AclOperation.Read),
        }, ops);
    }

    [Fact]
    public async Task Usage_errors_exit_2()
    {
        Assert.StartsWith("Usage: rill acls", (await RillAsync("acls", "--help")).Out);
        Assert.Equal(2, (await RillAsync("acls", "--bootstrap-server", _broker.BootstrapServers, "--add", "--topic", "t")).Code);
        Assert.Equal(2, (await RillAsync("acls", "--bootstrap-server", _broker.BootstrapServers, "--add", "--allow-principal", "User:a",
            "--operation", "Fly", "--topic", "t")).Code);
        Assert.Equal(2, (await RillAsync("acls", "--no-such-flag")).Code);
    }
}
