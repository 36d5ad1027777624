using System.Globalization;

namespace Rill.Tracking.Simulator;

/// <summary>"command --name value --flag ..." with typed lookups; unknown or unused options are an error.</summary>
sealed class CommandLine
{
    readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CommandLine(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith('-')) throw new ArgumentException("Give a command: simulate or loadtest.");
        Command = args[0];
        for (int i = 1; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{a}'.");
            string? value = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            _options[a[2..]] = value;
        }
    }

    public string Command { get; }

    public string? String(string name, string? fallback = null)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var v) ? v ?? throw new ArgumentException($"--{name} needs a value.") : fallback;
    }

    public string Required(string name) => String(name) ?? throw new ArgumentException($"--{name} is required.");

    public bool Flag(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    public double Double(string name, double fallback)
    {
        string? v = String(name);
        if (v is null) return fallback;
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d >= 0
            ? d
            : throw new ArgumentException($"--{name} must be a non-negative number, not '{v}'.");
    }

    public int Int(string name, int fallback) => (int)Double(name, fallback);

    /// <summary>A duration: "90", "90s", "5m", "200ms".</summary>
    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        string? v = String(name);
        if (v is null) return fallback;
        double Parse(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        try
        {
            if (v.EndsWith("ms", StringComparison.Ordinal)) return TimeSpan.FromMilliseconds(Parse(v[..^2]));
            if (v.EndsWith('s')) return TimeSpan.FromSeconds(Parse(v[..^1]));
            if (v.EndsWith('m')) return TimeSpan.FromMinutes(Parse(v[..^1]));
            return TimeSpan.FromSeconds(Parse(v));
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--{name} must be a duration like 30s, 5m or 200ms, not '{v}'.");
        }
    }

    /// <summary>Fails on options nobody asked for (typos).</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}.");
    }
}
