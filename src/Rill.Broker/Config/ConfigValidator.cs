using System.Globalization;

namespace Rill.Broker.Config;

/// <summary>
/// Parses a string value as Kafka's ConfigDef does for each type and checks it against the
/// valid-values notation used in the catalogues:
/// <c>[1,...]</c> (at least), <c>[1,...,9]</c> (between), <c>[1,...,9] or -1</c>,
/// <c>[a, b]</c> (one of, for lists every element), <c>(ci)[A, B]</c> (one of, case-insensitive),
/// <c>non-empty string</c>, <c>non-null string</c>, empty (anything of the right type).
/// </summary>
internal static class ConfigValidator
{
    public static object? ParseAndValidate(ConfigDef def, string? raw)
    {
        if (raw is null)
        {
            return null;
        }

        object parsed = ParseType(def, raw);
        Validate(def, raw, parsed);
        return parsed;
    }

    internal static object ParseType(ConfigDef def, string raw)
    {
        string v = raw.Trim();
        switch (def.Type)
        {
            case ConfigType.Boolean:
                if (v.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                if (v.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                throw ConfigException.InvalidValue(def.Name, raw, "a boolean (true or false)");
            case ConfigType.Short:
                return short.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out short s)
                    ? s
                    : throw ConfigException.InvalidValue(def.Name, raw, "a 16-bit integer");
            case ConfigType.Int:
                return int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i)
                    ? i
                    : throw ConfigException.InvalidValue(def.Name, raw, "a 32-bit integer");
            case ConfigType.Long:
                return long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)
                    ? l
                    : throw ConfigException.InvalidValue(def.Name, raw, "a 64-bit integer");
            case ConfigType.Double:
                return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && !double.IsNaN(d)
                    ? d
                    : throw ConfigException.InvalidValue(def.Name, raw, "a number");
            case ConfigType.List:
                return SplitList(v);
            case ConfigType.Class:
                return v;
            default: // String, Password: Kafka trims strings, keeps passwords verbatim
                return def.Type == ConfigType.Password ? raw : v;
        }
    }

    /// <summary>Kafka's list parsing: comma separated, each element trimmed, an empty string is an empty list.</summary>
    public static IReadOnlyList<string> SplitList(string value)
    {
        string v = value.Trim();
        if (v.Length == 0)
        {
            return [];
        }

        return v.Split(',', StringSplitOptions.TrimEntries);
    }

    private static void Validate(ConfigDef def, string raw, object parsed)
    {
        string spec = def.ValidValues;
        if (spec.Length == 0)
        {
            return;
        }

        switch (spec)
        {
            case "non-empty string":
                if (parsed is string { Length: 0 })
                {
                    throw ConfigException.InvalidValue(def.Name, raw, "a non-empty string");
                }

                return;
            case "non-null string":
                return;
            case "non-empty list":
                if (parsed is IReadOnlyList<string> { Count: 0 })
                {
                    throw ConfigException.InvalidValue(def.Name, raw, "a non-empty list");
                }

                return;
        }

        string expected = $"{TypeName(def.Type)} in {spec}";
        if (!Accepts(spec, parsed))
        {
            throw ConfigException.InvalidValue(def.Name, raw, expected);
        }
    }

    private static bool Accepts(string spec, object parsed)
    {
        int orIndex = spec.IndexOf(" or ", StringComparison.Ordinal);
        if (orIndex > 0)
        {
            string alternative = spec[(orIndex + 4)..].Trim();
            if (ToDouble(parsed) is double x && double.Parse(alternative, CultureInfo.InvariantCulture) == x)
            {
                return true;
            }

            spec = spec[..orIndex];
        }

        bool caseInsensitive = spec.StartsWith("(ci)", StringComparison.Ordinal);
        if (caseInsensitive)
        {
            spec = spec[4..];
        }

        string inner = spec.Trim().TrimStart('[').TrimEnd(']');
        string[] parts = inner.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length >= 2 && parts[1] == "...")
        {
            double value = ToDouble(parsed) ?? double.NaN;
            double min = double.Parse(parts[0], CultureInfo.InvariantCulture);
            if (value < min || double.IsNaN(value))
            {
                return false;
            }

            return parts.Length < 3 || value <= double.Parse(parts[2], CultureInfo.InvariantCulture);
        }

        StringComparison cmp = caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return parsed switch
        {
            IReadOnlyList<string> list => list.All(e => parts.Contains(e, StringComparer.FromComparison(cmp))),
            _ => parts.Any(p => string.Equals(p, Convert.ToString(parsed, CultureInfo.InvariantCulture), cmp)),
        };
    }

    private static double? ToDouble(object parsed) => parsed switch
    {
        short s => s,
        int i => i,
        long l => l,
        double d => d,
        _ => null,
    };

    private static string TypeName(ConfigType type) => type switch
    {
        ConfigType.Boolean => "a boolean",
        ConfigType.Short => "a 16-bit integer",
        ConfigType.Int => "a 32-bit integer",
        ConfigType.Long => "a 64-bit integer",
        ConfigType.Double => "a number",
        ConfigType.List => "a comma-separated list with elements",
        _ => "one of",
    };
}
