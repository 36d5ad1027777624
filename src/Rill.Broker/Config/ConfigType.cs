using System.Globalization;

namespace Rill.Broker.Config;

/// <summary>Kafka's config value types.</summary>
public enum ConfigType
{
    Boolean,
    Short,
    Int,
    Long,
    Double,
    String,
    List,
    Password,
    Class,
}

/// <summary>One known property: name, type, default (null: none), an optional check, and whether Rill acts on it.</summary>
public sealed record ConfigDef(string Name, ConfigType Type, string? Default, bool Applied, Func<string, string?>? Check = null)
{
    /// <summary>Checks <paramref name="value"/> against the type and the property's own rule; returns a message or null.</summary>
    public string? Validate(string value)
    {
        string trimmed = value.Trim();
        string? typeError = Type switch
        {
            ConfigType.Boolean => trimmed.Equals("true", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("false", StringComparison.OrdinalIgnoreCase)
                ? null : "expected true or false",
            ConfigType.Short => short.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "expected a 16-bit integer",
            ConfigType.Int => int.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "expected a 32-bit integer",
            ConfigType.Long => long.TryParse(trimmed, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "expected a 64-bit integer",
            ConfigType.Double => double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? null : "expected a number",
            _ => null,
        };
        return typeError ?? Check?.Invoke(trimmed);
    }
}

/// <summary>Reusable value rules.</summary>
internal static class Rules
{
    public static Func<string, string?> AtLeast(long min)
        => v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= min ? null : $"must be at least {min}";

    public static Func<string, string?> Between(double min, double max)
        => v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n >= min && n <= max ? null : $"must be between {min} and {max}";

    public static Func<string, string?> OneOf(params string[] options)
        => v => options.Contains(v, StringComparer.Ordinal) ? null : $"must be one of {string.Join(", ", options)}";

    public static Func<string, string?> ListOf(params string[] options)
        => v => v.Split(',').Select(p => p.Trim()).All(p => options.Contains(p, StringComparer.Ordinal)) ? null : $"must be a list of {string.Join(", ", options)}";
}
