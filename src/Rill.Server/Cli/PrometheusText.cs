using System.Globalization;
using System.Text.RegularExpressions;

namespace Rill.Server.Cli;

/// <summary>One sample of a Prometheus text exposition.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.GetValueOrDefault(name, "");
}

/// <summary>Reads the samples of a Prometheus text exposition (what `rill serve` serves on /metrics); comments are skipped.</summary>
internal static partial class PrometheusText
{
    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            int brace = line.IndexOf('{', StringComparison.Ordinal);
            int close = brace >= 0 ? line.LastIndexOf('}') : -1;
            int space = line.IndexOf(' ', close >= 0 ? close : 0);
            if (space < 0)
            {
                continue;
            }
            string name = line[..(brace >= 0 ? brace : space)];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (brace >= 0 && close > brace)
            {
                foreach (Match m in LabelPattern().Matches(line[(brace + 1)..close]))
                {
                    labels[m.Groups[1].Value] = m.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                }
            }
            string value = line[(space + 1)..].Split(' ')[0];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                samples.Add(new PrometheusSample(name, labels, v));
            }
        }
        return samples;
    }

    [GeneratedRegex("""(\w+)="((?:[^"\\]|\\.)*)"\s*,?""")]
    private static partial Regex LabelPattern();
}
