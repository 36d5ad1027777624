using System.Globalization;
using System.Text;

namespace Rill.Broker.Config;

/// <summary>
/// Reads the <c>.properties</c> format the way java.util.Properties.load does: natural lines end in
/// \n, \r or \r\n; a line ending in an odd number of backslashes continues on the next one (whose
/// leading whitespace is dropped); blank lines and lines whose first non-blank character is # or !
/// are comments; the key ends at the first unescaped '=', ':' or whitespace, then whitespace and at
/// most one '=' or ':' are skipped; escapes \t \n \r \f \uXXXX are decoded and any other escaped
/// character stands for itself. Later duplicates win. One deviation: files are read as UTF-8
/// (Java reads ISO-8859-1), which is the same for ASCII files.
/// </summary>
public static class JavaProperties
{
    /// <summary>Parses properties text into key/value pairs in file order (duplicates kept; the last one wins when applied).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<KeyValuePair<string, string>>();
        var logical = new StringBuilder();
        bool continuing = false;
        int pos = 0;
        int lineNumber = 0;
        int logicalStartLine = 0;
        while (pos < text.Length)
        {
            int start = pos;
            while (pos < text.Length && text[pos] != '\n' && text[pos] != '\r')
            {
                pos++;
            }

            ReadOnlySpan<char> line = text.AsSpan(start, pos - start);
            if (pos < text.Length)
            {
                pos += text[pos] == '\r' && pos + 1 < text.Length && text[pos + 1] == '\n' ? 2 : 1;
            }

            lineNumber++;
            int p = 0;
            while (p < line.Length && IsWhitespace(line[p]))
            {
                p++;
            }

            line = line[p..];
            if (!continuing)
            {
                if (line.IsEmpty || line[0] == '#' || line[0] == '!')
                {
                    continue;
                }

                logicalStartLine = lineNumber;
            }

            int trailing = 0;
            while (trailing < line.Length && line[line.Length - 1 - trailing] == '\\')
            {
                trailing++;
            }

            continuing = trailing % 2 == 1;
            logical.Append(continuing ? line[..^1] : line);
            if (!continuing)
            {
                result.Add(ParseLogicalLine(logical.ToString(), logicalStartLine));
                logical.Clear();
            }
        }

        if (continuing && logical.Length > 0)
        {
            result.Add(ParseLogicalLine(logical.ToString(), logicalStartLine));
        }

        return result;
    }

    /// <summary>Reads and parses a file.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Load(string path) => Parse(File.ReadAllText(path, Encoding.UTF8));

    private static KeyValuePair<string, string> ParseLogicalLine(string line, int lineNumber)
    {
        int i = 0;
        int keyEnd = line.Length;
        while (i < line.Length)
        {
            char c = line[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }

            if (c == '=' || c == ':' || IsWhitespace(c))
            {
                keyEnd = i;
                break;
            }

            i++;
        }

        keyEnd = Math.Min(keyEnd, line.Length);
        int valueStart = keyEnd;
        while (valueStart < line.Length && IsWhitespace(line[valueStart]))
        {
            valueStart++;
        }

        if (valueStart < line.Length && (line[valueStart] == '=' || line[valueStart] == ':'))
        {
            valueStart++;
            while (valueStart < line.Length && IsWhitespace(line[valueStart]))
            {
                valueStart++;
            }
        }

        string key = Unescape(line.AsSpan(0, keyEnd), lineNumber);
        string value = Unescape(line.AsSpan(valueStart), lineNumber);
        return new KeyValuePair<string, string>(key, value);
    }

    private static string Unescape(ReadOnlySpan<char> s, int lineNumber)
    {
        if (s.IndexOf('\\') < 0)
        {
            return s.ToString();
        }

        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (++i >= s.Length)
            {
                break; // a lone trailing backslash stands for nothing, as in Java
            }

            c = s[i];
            switch (c)
            {
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    if (s.Length - (i + 1) < 4
                        || !ushort.TryParse(s.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
                    {
                        throw new ConfigException("(properties)", $"Malformed \\uxxxx encoding on line {lineNumber}");
                    }

                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(c); break;
            }
        }

        return sb.ToString();
    }

    private static bool IsWhitespace(char c) => c == ' ' || c == '\t' || c == '\f';
}
