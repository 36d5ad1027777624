namespace Rill.Protocol.Sasl;

/// <summary>
/// A SCRAM message as its <c>k=value</c> attributes (RFC 5802 section 5), in order. Parsing fails
/// (returns null) on an empty attribute, a key that is not one letter, or a missing '='.
/// </summary>
public sealed class ScramAttributes
{
    private readonly List<KeyValuePair<char, string>> _items;

    private ScramAttributes(List<KeyValuePair<char, string>> items) => _items = items;

    public int Count => _items.Count;

    public char KeyAt(int index) => _items[index].Key;

    public string ValueAt(int index) => _items[index].Value;

    /// <summary>The first value of <paramref name="key"/>, or null.</summary>
    public string? Get(char key)
    {
        foreach (var item in _items)
        {
            if (item.Key == key)
            {
                return item.Value;
            }
        }
        return null;
    }

    public static ScramAttributes? Parse(string message)
    {
        var items = new List<KeyValuePair<char, string>>();
        foreach (string part in message.Split(','))
        {
            if (part.Length < 2 || part[1] != '=' || !char.IsAsciiLetter(part[0]))
            {
                return null;
            }
            items.Add(new(part[0], part[2..]));
        }
        return new ScramAttributes(items);
    }
}
