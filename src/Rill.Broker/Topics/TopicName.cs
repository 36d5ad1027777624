namespace Rill.Broker.Topics;

/// <summary>Kafka's topic name rules: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".</summary>
internal static class TopicName
{
    public const int MaxLength = 249;

    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is empty.";
        }
        if (name is "." or "..")
        {
            return $"Topic name cannot be '{name}'.";
        }
        if (name.Length > MaxLength)
        {
            return $"Topic name is {name.Length} characters long; the limit is {MaxLength}.";
        }
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"Topic name '{name}' contains '{c}'; only ASCII letters, digits, '.', '_' and '-' are allowed.";
            }
        }
        return null;
    }

    public static bool IsInternal(string name) => name is "__consumer_offsets" or "__transaction_state";
}
