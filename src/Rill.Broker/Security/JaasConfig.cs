using System.Text.RegularExpressions;
using Rill.Broker.Config;

namespace Rill.Broker.Security;

/// <summary>
/// The parts of a JAAS entry (<c>sasl.jaas.config</c>) Rill reads: the login module class and its
/// <c>key="value"</c> options, e.g. PlainLoginModule's <c>user_alice="secret"</c> entries.
/// </summary>
internal sealed partial class JaasConfig
{
    private JaasConfig(string loginModule, IReadOnlyDictionary<string, string> options)
    {
        LoginModule = loginModule;
        Options = options;
    }

    public string LoginModule { get; }
    public IReadOnlyDictionary<string, string> Options { get; }

    /// <summary>PlainLoginModule users: every <c>user_&lt;name&gt;</c> option.</summary>
    public IReadOnlyDictionary<string, string> Users() =>
        Options.Where(o => o.Key.StartsWith("user_", StringComparison.Ordinal))
            .ToDictionary(o => o.Key["user_".Length..], o => o.Value, StringComparer.Ordinal);

    public static JaasConfig Parse(string property, string text)
    {
        Match head = HeadPattern().Match(text);
        if (!head.Success)
        {
            throw new ConfigException(property, "JAAS config must start with a login module class and a control flag, e.g. org.apache.kafka.common.security.plain.PlainLoginModule required ...;");
        }
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        string rest = text[head.Length..];
        int end = rest.LastIndexOf(';');
        if (end < 0)
        {
            throw new ConfigException(property, "JAAS config must end with ';'");
        }
        rest = rest[..end];
        int consumed = 0;
        foreach (Match m in OptionPattern().Matches(rest))
        {
            if (rest[consumed..m.Index].Trim().Length != 0)
            {
                throw new ConfigException(property, $"Cannot parse JAAS option near '{rest[consumed..m.Index].Trim()}'");
            }
            string value = m.Groups["q"].Success ? Regex.Unescape(m.Groups["q"].Value) : m.Groups["v"].Value;
            options[m.Groups["k"].Value] = value;
            consumed = m.Index + m.Length;
        }
        if (rest[consumed..].Trim().Length != 0)
        {
            throw new ConfigException(property, $"Cannot parse JAAS option near '{rest[consumed..].Trim()}'");
        }
        return new JaasConfig(head.Groups["module"].Value, options);
    }

    [GeneratedRegex(@"^\s*(?<module>[A-Za-z_$][\w.$]*)\s+(required|requisite|sufficient|optional)\b", RegexOptions.IgnoreCase)]
    private static partial Regex HeadPattern();

    [GeneratedRegex(@"\s*(?<k>[^\s=;]+)\s*=\s*(""(?<q>(\\.|[^""\\])*)""|(?<v>[^\s;""]+))")]
    private static partial Regex OptionPattern();
}
