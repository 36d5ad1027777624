using Rill.Client;
using Rill.Protocol.Sasl;

namespace Rill.Server.Cli;

/// <summary>
/// `rill users`: SCRAM credentials, as kafka-configs.sh manages them with --entity-type users
/// (DescribeUserScramCredentials / AlterUserScramCredentials). Passwords are salted and hashed here;
/// only the salted password goes to the broker.
/// </summary>
internal static class UsersCommand
{
    public const string Help = """
        Usage: rill users --bootstrap-server HOST:PORT [--command-config FILE] ACTION

        Actions (one):
          --list                         users with SCRAM credentials
          --describe                     mechanisms and iterations (of --entity-name, else of every user)
          --add | --alter                with --entity-name and --add-config 'SCRAM-SHA-256=[password=...]'
                                         (several mechanisms comma separated; iterations=N optional, 4096..16384)
                                         and/or --delete-config SCRAM-SHA-512[,SCRAM-SHA-256]
          --delete                       every SCRAM credential of --entity-name

        Options:
          --bootstrap-server HOST:PORT   the broker to connect to (required)
          --command-config FILE          client properties (security.protocol, sasl.mechanism, sasl.username, ...)
          --entity-name USER             the user
          -h, --help                     this help

        Example (as kafka-configs.sh --alter --entity-type users --entity-name alice):
          rill users --bootstrap-server 127.0.0.1:9092 --alter --entity-name alice \
            --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("users", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--bootstrap-server", "--entity-name", "--add-config", "--delete-config"],
            ["--list", "--describe", "--add", "--alter", "--delete"]);
        string action = a.Action("--list", "--describe", "--add", "--alter", "--delete");
        await using var admin = new AdminClient(CliRunner.Configure(a, new AdminClientConfig { BootstrapServers = CliRunner.Bootstrap(a), ClientId = "rill-users" }));
        switch (action)
        {
            case "--list":
                foreach (string user in (await admin.DescribeUserScramCredentialsAsync().ConfigureAwait(false)).Keys)
                {
                    io.Out.WriteLine(user);
                }
                return 0;
            case "--describe":
                string? name = a.Get("--entity-name");
                var described = await admin.DescribeUserScramCredentialsAsync(name is null ? null : [name]).ConfigureAwait(false);
                foreach (var (user, credentials) in described)
                {
                    io.Out.WriteLine($"SCRAM credential configs for user-principal '{user}' are "
                        + string.Join(", ", credentials.Select(c => $"{c.Mechanism.Name()}=iterations={c.Iterations}")));
                }
                return 0;
            case "--delete":
            {
                string user = a.Require("--entity-name");
                var existing = await admin.DescribeUserScramCredentialsAsync([user]).ConfigureAwait(false);
                foreach (var credential in existing[user])
                {
                    await admin.DeleteUserScramCredentialAsync(user, credential.Mechanism).ConfigureAwait(false);
                }
                io.Out.WriteLine($"Deleted SCRAM credentials of user-principal '{user}'.");
                return 0;
            }
            default:
            {
                string user = a.Require("--entity-name");
                var upserts = a.GetAll("--add-config").SelectMany(ParseAddConfig).ToList();
                var deletes = a.GetAll("--delete-config").SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Select(ParseMechanism).ToList();
                if (upserts.Count + deletes.Count == 0)
                {
                    throw new UsageException($"{action} needs --add-config or --delete-config.");
                }
                foreach (var mechanism in deletes)
                {
                    await admin.DeleteUserScramCredentialAsync(user, mechanism).ConfigureAwait(false);
                }
                foreach (var (mechanism, password, iterations) in upserts)
                {
                    await admin.UpsertUserScramCredentialAsync(user, mechanism, password, iterations).ConfigureAwait(false);
                }
                io.Out.WriteLine($"Completed updating config for user {user}.");
                return 0;
            }
        }
    });

    private static ScramMechanism ParseMechanism(string name) => ScramMechanisms.Parse(name) is var m && m != ScramMechanism.Unknown
        ? m : throw new UsageException($"'{name}' is not a SCRAM mechanism (SCRAM-SHA-256, SCRAM-SHA-512).");

    /// <summary>Parses kafka-configs' <c>SCRAM-SHA-256=[iterations=8192,password=secret],SCRAM-SHA-512=[password=secret]</c>.</summary>
    internal static IEnumerable<(ScramMechanism Mechanism, string Password, int Iterations)> ParseAddConfig(string text)
    {
        var result = new List<(ScramMechanism, string, int)>();
        int i = 0;
        while (i < text.Length)
        {
            int eq = text.IndexOf('=', i);
            if (eq < 0)
            {
                throw new UsageException($"--add-config expects MECHANISM=[password=...], got '{text[i..]}'.");
            }
            ScramMechanism mechanism = ParseMechanism(text[i..eq].Trim());
            string body;
            if (eq + 1 < text.Length && text[eq + 1] == '[')
            {
                int close = text.IndexOf(']', eq);
                if (close < 0)
                {
                    throw new UsageException("--add-config: missing ']'.");
                }
                body = text[(eq + 2)..close];
                i = close + 1;
            }
            else
            {
                int comma = text.IndexOf(',', eq);
                body = "password=" + (comma < 0 ? text[(eq + 1)..] : text[(eq + 1)..comma]);
                i = comma < 0 ? text.Length : comma;
            }
            if (i < text.Length && text[i] == ',')
            {
                i++;
            }
            string? password = null;
            int iterations = ScramMechanisms.MinIterations;
            foreach (string part in body.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int peq = part.IndexOf('=');
                string key = peq < 0 ? part : part[..peq].Trim();
                string value = peq < 0 ? "" : part[(peq + 1)..];
                if (key == "password")
                {
                    password = value;
                }
                else if (key == "iterations" && int.TryParse(value, out int n))
                {
                    iterations = n;
                }
                else
                {
                    throw new UsageException($"--add-config: unknown SCRAM setting '{part}' (password=..., iterations=N).");
                }
            }
            result.Add((mechanism, password ?? throw new UsageException($"--add-config: {mechanism.Name()} needs password=..."), iterations));
        }
        return result;
    }
}
