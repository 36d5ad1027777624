using Rill.Hosting;
using Rill.Server;
using Rill.Server.Cli;

namespace Rill.Server.Tests;

/// <summary>
/// `rill users` and --command-config against a broker with a SASL_PLAINTEXT listener: an admin
/// logs in with PLAIN, creates a SCRAM user, that user logs in with SCRAM, the credential survives
/// a restart, and after deletion the login is refused.
/// </summary>
public class UsersCliTests
{
    private const string Jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required user_admin=\"admin-secret\";";

    private static async Task<(int Code, string Out, string Err)> RillAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(args, new Console3(new StringReader(""), output, error)).WaitAsync(TimeSpan.FromSeconds(60));
        return (code, output.ToString(), error.ToString());
    }

    private static Task<EmbeddedBroker> StartAsync(string dataDir) => EmbeddedBroker.StartAsync(new Dictionary<string, string>
    {
        ["listeners"] = "SASL_PLAINTEXT://127.0.0.1:0",
        ["sasl.enabled.mechanisms"] = "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
        ["listener.name.sasl_plaintext.plain.sasl.jaas.config"] = Jaas,
        ["connection.failed.authentication.delay.ms"] = "0",
    }, dataDir);

    [Fact]
    public async Task Add_describe_list_use_survive_restart_and_delete_scram_credentials()
    {
        using var dir = new TempDirectory();
        string adminConfig = dir.Sub("admin.properties"), scramConfig = dir.Sub("scram.properties");
        await File.WriteAllTextAsync(adminConfig, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.username=admin\nsasl.password=admin-secret\n");
        await File.WriteAllTextAsync(scramConfig, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=carol\nsasl.password=carol-pw\n");
        string data = dir.Sub("data");
        Directory.CreateDirectory(data);

        await using (EmbeddedBroker broker = await StartAsync(data))
        {
            string b = broker.BootstrapServers;
            var refused = await RillAsync("topics", "--bootstrap-server", b, "--command-config", scramConfig, "--list");
            Assert.Equal(1, refused.Code);
            Assert.Contains("Authentication failed", refused.Err);

            var added = await RillAsync("users", "--bootstrap-server", b, "--command-config", adminConfig, "--alter", "--entity-name", "carol",
                "--add-config", "SCRAM-SHA-256=[iterations=8192,password=carol-pw],SCRAM-SHA-512=[password=carol-pw]");
            Assert.Equal((0, "Completed updating config for user carol.\n"), (added.Code, added.Out));
            var described = await RillAsync("users", "--bootstrap-server", b, "--command-config", adminConfig, "--describe", "--entity-name", "carol");
            Assert.Equal("SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n", described.Out);
            Assert.Equal("carol\n", (await RillAsync("users", "--bootstrap-server", b, "--command-config", adminConfig, "--list")).Out);
            var tooFew = await RillAsync("users", "--bootstrap-server", b, "--command-config", adminConfig, "--add", "--entity-name", "dave",
                "--add-config", "SCRAM-SHA-256=[iterations=100,password=x]");
            Assert.Equal(1, tooFew.Code);
            Assert.Contains("UnacceptableCredential", tooFew.Err);

            var created = await RillAsync("topics", "--bootstrap-server", b, "--command-config", scramConfig, "--create", "--topic", "carols", "--partitions", "1");
            Assert.Equal(0, created.Code);
        }

        await using (EmbeddedBroker broker = await StartAsync(data))
        {
            string b = broker.BootstrapServers;
            var listed = await RillAsync("topics", "--bootstrap-server", b, "--command-config", scramConfig, "--list");
            Assert.Equal(0, listed.Code);
            Assert.Contains("carols", listed.Out.Split('\n'));

            Assert.Equal(0, (await RillAsync("users", "--bootstrap-server", b, "--command-config", adminConfig, "--delete", "--entity-name", "carol")).Code);
            var gone = await RillAsync("users", "--bootstrap-server", b, "--command-config", adminConfig, "--describe", "--entity-name", "carol");
            Assert.Equal(1, gone.Code);
            Assert.Contains("ResourceNotFound", gone.Err);
            var refused = await RillAsync("topics", "--bootstrap-server", b, "--command-config", scramConfig, "--list");
            Assert.Equal(1, refused.Code);
            Assert.Contains("Authentication failed", refused.Err);
        }
    }

    [Fact]
    public void Add_config_parses_kafka_configs_syntax()
    {
        var parsed = UsersCommand.ParseAddConfig("SCRAM-SHA-256=[iterations=8192,password=a=b],SCRAM-SHA-512=[password=pw]").ToList();
        Assert.Equal([(Rill.Protocol.Sasl.ScramMechanism.ScramSha256, "a=b", 8192), (Rill.Protocol.Sasl.ScramMechanism.ScramSha512, "pw", 4096)], parsed);
        Assert.Throws<UsageException>(() => UsersCommand.ParseAddConfig("SCRAM-SHA-1=[password=x]").ToList());
        Assert.Throws<UsageException>(() => UsersCommand.ParseAddConfig("SCRAM-SHA-256=[iterations=8192]").ToList());
    }
}
