namespace Rill.Server.Cli;

/// <summary>A usage mistake: printed as one line plus a hint, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Standard streams of a command, so tests can run commands in-process.</summary>
internal sealed record Console3(TextReader In, TextWriter Out, TextWriter Err)
{
    public static Console3 System => new(Console.In, Console.Out, Console.Error);
}

/// <summary>
/// Kafka-tool style options: "--name value" for the declared value options (repeatable ones
/// collect every value) and bare "--flag"s. Anything else is a usage error.
/// </summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public static CliArgs Parse(string[] args, IEnumerable<string> valueOptions, IEnumerable<string> flagOptions)
    {
        var values = valueOptions.ToHashSet(StringComparer.Ordinal);
        values.Add(CliRunner.CommandConfigOption);
        var flags = flagOptions.ToHashSet(StringComparer.Ordinal);
        var parsed = new CliArgs();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? inline = null;
            int eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 2 && values.Contains(arg[..eq]))
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            if (values.Contains(arg))
            {
                string value = inline ?? (i + 1 < args.Length ? args[++i] : throw new UsageException($"{arg} needs a value."));
                if (!parsed._values.TryGetValue(arg, out var list))
                {
                    parsed._values[arg] = list = new List<string>();
                }
                list.Add(value);
            }
            else if (flags.Contains(arg))
            {
                parsed._flags.Add(arg);
            }
            else
            {
                throw new UsageException($"unknown option '{arg}'.");
            }
        }
        return parsed;
    }

    public bool Has(string flag) => _flags.Contains(flag) || _values.ContainsKey(flag);

    public string? Get(string name) => _values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> GetAll(string name) => _values.TryGetValue(name, out var list) ? list : [];

    public string Require(string name, string? why = null) => Get(name) ?? throw new UsageException($"{name} is required{(why is null ? "" : " " + why)}.");

    public int GetInt(string name, int fallback) => Get(name) is { } v
        ? int.TryParse(v, out int n) ? n : throw new UsageException($"{name} expects an integer, got '{v}'.")
        : fallback;

    public long GetLong(string name, long fallback) => Get(name) is { } v
        ? long.TryParse(v, out long n) ? n : throw new UsageException($"{name} expects an integer, got '{v}'.")
        : fallback;

    /// <summary>"--property k=v" pairs (Kafka's console tools), later wins.</summary>
    public Dictionary<string, string> Properties(string name = "--property")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in GetAll(name))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new UsageException($"{name} expects key=value, got '{pair}'.");
            }
            result[pair[..eq]] = pair[(eq + 1)..];
        }
        return result;
    }

    /// <summary>Exactly one of these flags (Kafka's tools' action options).</summary>
    public string Action(params string[] actions)
    {
        var given = actions.Where(Has).ToList();
        return given.Count switch
        {
            1 => given[0],
            0 => throw new UsageException($"one of {string.Join(", ", actions)} is required."),
            _ => throw new UsageException($"only one of {string.Join(", ", given)} may be given."),
        };
    }

    public static bool IsTrue(IReadOnlyDictionary<string, string> properties, string key)
        => properties.TryGetValue(key, out string? v) && v.Equals("true", StringComparison.OrdinalIgnoreCase);
}
