using System.Globalization;
using System.Text;

namespace Rill.Broker.Config;

/// <summary>
/// Parses the java.util.Properties text format that server.properties uses: key=value, key:value
/// or key value; # and ! comments; backslash line continuations; \t \n \r \f \uXXXX escapes.
/// </summary>
public static class JavaProperties
{
    public static List<KeyValuePair<string, string>> Parse(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        string[] lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }
            var logical = new StringBuilder();
            while (EndsWithContinuation(line) && i + 1 < lines.Length)
            {
                logical.Append(line, 0, line.Length - 1);
                line = lines[++i].TrimStart(' ', '\t', '\f');
            }
            if (EndsWithContinuation(line))
            {
                line = line[..^1];
            }
            logical.Append(line);
            result.Add(SplitKeyValue(logical.ToString()));
        }
        return result;
    }

    private static bool EndsWithContinuation(string line)
    {
        int slashes = 0;
        for (int i = line.Length - 1; i >= 0 && line[i] == '\\'; i--)
        {
            slashes++;
        }
        return slashes % 2 == 1;
    }

    private static KeyValuePair<string, string> SplitKeyValue(string line)
    {
        int i = 0;
        var key = new StringBuilder();
        while (i < line.Length)
        {
            char c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                i = Unescape(line, i, key);
                continue;
            }
            if (c is '=' or ':' or ' ' or '\t' or '\f')
            {
                break;
            }
            key.Append(c);
            i++;
        }
        while (i < line.Length && line[i] is ' ' or '\t' or '\f')
        {
            i++;
        }
        if (i < line.Length && line[i] is '=' or ':')
        {
            i++;
            while (i < line.Length && line[i] is ' ' or '\t' or '\f')
            {
                i++;
            }
        }
        var value = new StringBuilder();
        while (i < line.Length)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
            {
                i = Unescape(line, i, value);
                continue;
            }
            value.Append(line[i]);
            i++;
        }
        return new(key.ToString(), value.ToString());
    }

    /// <summary>Appends the escape at <paramref name="at"/> (a backslash) and returns the index after it.</summary>
    private static int Unescape(string line, int at, StringBuilder into)
    {
        char next = line[at + 1];
        switch (next)
        {
            case 't': into.Append('\t'); return at + 2;
            case 'n': into.Append('\n'); return at + 2;
            case 'r': into.Append('\r'); return at + 2;
            case 'f': into.Append('\f'); return at + 2;
            case 'u' when at + 6 <= line.Length
                && int.TryParse(line.AsSpan(at + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code):
                into.Append((char)code);
                return at + 6;
            default:
                into.Append(next);
                return at + 2;
        }
    }
}
