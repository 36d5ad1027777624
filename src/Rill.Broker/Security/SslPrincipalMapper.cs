using System.Text.RegularExpressions;
using Rill.Broker.Config;

namespace Rill.Broker.Security;

/// <summary>
/// <c>ssl.principal.mapping.rules</c>: a list of <c>RULE:pattern/replacement/[LU]</c> entries and
/// <c>DEFAULT</c>, tried in order on the certificate's distinguished name (RFC 2253 form, e.g.
/// <c>CN=alice,OU=eng,O=Example</c>); the first rule whose pattern matches names the principal.
/// DEFAULT keeps the distinguished name as it is.
/// </summary>
internal sealed partial class SslPrincipalMapper
{
    private readonly List<Rule> _rules;

    private SslPrincipalMapper(List<Rule> rules) => _rules = rules;

    public static SslPrincipalMapper Parse(string? rules)
    {
        var parsed = new List<Rule>();
        string text = (rules ?? "DEFAULT").Trim();
        if (text == "DEFAULT")
        {
            // Every listener has a mapper; the usual one is built without loading the regex engine (start-up).
            parsed.Add(new Rule(null, "", null));
            return new SslPrincipalMapper(parsed);
        }
        int at = 0;
        while (at < text.Length)
        {
            Match m = RulePattern().Match(text, at);
            if (!m.Success || m.Index != at)
            {
                throw new ConfigException("ssl.principal.mapping.rules", $"Invalid rule near '{text[at..]}'");
            }
            parsed.Add(m.Groups["default"].Success
                ? new Rule(null, "", null)
                : new Rule(new Regex(m.Groups["pattern"].Value, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)),
                    m.Groups["replacement"].Value, m.Groups["case"].Value));
            at = m.Index + m.Length;
        }
        return new SslPrincipalMapper(parsed);
    }

    /// <summary>The principal name for a distinguished name; null when no rule matches.</summary>
    public string? Map(string distinguishedName)
    {
        foreach (Rule rule in _rules)
        {
            if (rule.Pattern is null)
            {
                return distinguishedName;
            }
            Match m = rule.Pattern.Match(distinguishedName);
            if (!m.Success)
            {
                continue;
            }
            string name = m.Result(rule.Replacement.Replace("\\/", "/", StringComparison.Ordinal));
            return rule.Case switch
            {
                "L" => name.ToLowerInvariant(),
                "U" => name.ToUpperInvariant(),
                _ => name,
            };
        }
        return null;
    }

    private sealed record Rule(Regex? Pattern, string Replacement, string? Case);

    [GeneratedRegex(@"\s*(?:(?<default>DEFAULT)|RULE:(?<pattern>(?:\\.|[^\\/])*)/(?<replacement>(?:\\.|[^\\/])*)/(?<case>[LU]?))\s*(?:,|$)")]
    private static partial Regex RulePattern();
}
