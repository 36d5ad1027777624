using Rill.Server;
using Rill.Server.Cli;

namespace Rill.Server.Tests;

/// <summary>`rill configs` on client quotas, as kafka-configs --entity-type users/clients/ips.</summary>
public class QuotaCliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static async Task<(int Code, string Out, string Err)> RillAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(args, new Console3(new StringReader(""), output, error)).WaitAsync(TimeSpan.FromSeconds(60));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Alter_describe_and_delete_user_client_and_ip_quotas()
    {
        string b = fixture.Bootstrap;
        string user = "cli-" + Guid.NewGuid().ToString("N")[..8];
        var altered = await RillAsync("configs", "--bootstrap-server", b, "--alter", "--add-config", "producer_byte_rate=1024,consumer_byte_rate=2048",
            "--entity-type", "users", "--entity-name", user);
        Assert.Equal((0, $"Completed updating config for user-principal '{user}'.\n"), (altered.Code, altered.Out));
        Assert.Equal(0, (await RillAsync("configs", "--bootstrap-server", b, "--alter", "--add-config", "request_percentage=50",
            "--user", user, "--client-defaults")).Code);
        Assert.Equal(0, (await RillAsync("configs", "--bootstrap-server", b, "--alter", "--add-config", "connection_creation_rate=100",
            "--entity-type", "ips", "--entity-default")).Code);

        var described = await RillAsync("configs", "--bootstrap-server", b, "--describe", "--entity-type", "users", "--entity-name", user);
        Assert.Equal($"Quota configs for user-principal '{user}' are consumer_byte_rate=2048.0,producer_byte_rate=1024.0\n", described.Out);
        var pair = await RillAsync("configs", "--bootstrap-server", b, "--describe", "--user", user, "--client-defaults");
        Assert.Equal($"Quota configs for user-principal '{user}', the default client-id are request_percentage=50.0\n", pair.Out);
        Assert.Contains("Quota configs for the default ip are connection_creation_rate=100.0",
            (await RillAsync("configs", "--bootstrap-server", b, "--describe", "--entity-type", "ips", "--entity-default")).Out);

        var bad = await RillAsync("configs", "--bootstrap-server", b, "--alter", "--add-config", "producer_byte_rate=1.5", "--user", user);
        Assert.Equal(1, bad.Code);
        Assert.Contains("whole number", bad.Err);

        Assert.Equal(0, (await RillAsync("configs", "--bootstrap-server", b, "--alter", "--delete-config", "producer_byte_rate,consumer_byte_rate",
            "--entity-type", "users", "--entity-name", user)).Code);
        Assert.Equal("", (await RillAsync("configs", "--bootstrap-server", b, "--describe", "--entity-type", "users", "--entity-name", user)).Out);
        Assert.Equal(0, (await RillAsync("configs", "--bootstrap-server", b, "--alter", "--delete-config", "connection_creation_rate",
            "--entity-type", "ips", "--entity-default")).Code);
    }
}
