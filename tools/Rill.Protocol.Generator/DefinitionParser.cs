namespace Rill.Protocol.Generator;

/// <summary>
/// Reads Rill's message definition format (src/Rill.Protocol/Definitions/*.def):
/// <code>
/// api Produce 0
/// request versions 0-11 flexible 9+
///   Acks int16
///   TopicData []TopicProduceData
///     Name string
///   TransactionalId string versions=3+ nullable=3+ default=null
/// response versions 0-11 flexible 9+
///   ...
/// </code>
/// or, for a versioned data structure that is not an API message (a record stored in
/// __consumer_offsets, a consumer protocol payload):
/// <code>
/// data OffsetCommitKey versions 0-1 flexible none
///   Group string
/// </code>
/// Fields are in wire order; two spaces of indentation nest a struct's fields under it. A struct
/// type named again without fields reuses the earlier definition. Attributes: versions=, nullable=
/// (ranges "3", "3-5", "3+", "none"), default=, tag= (a tagged field of the flexible versions).
/// </summary>
internal static class DefinitionParser
{
    public static List<MessageDef> Parse(string text, string fileName)
    {
        var messages = new List<MessageDef>();
        string? api = null;
        short apiKey = -1;
        MessageDef? current = null;
        var stack = new List<(int Indent, List<FieldDef> Into)>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string raw = lines[i].TrimEnd('\r');
            int hash = raw.IndexOf('#');
            string line = (hash >= 0 ? raw[..hash] : raw).TrimEnd();
            if (line.Trim().Length == 0)
            {
                continue;
            }
            int indent = line.Length - line.TrimStart().Length;
            string[] words = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string where = $"{fileName}:{i + 1}";

            if (indent == 0)
            {
                switch (words[0])
                {
                    case "api":
                        api = words[1];
                        apiKey = short.Parse(words[2]);
                        break;
                    case "request" or "response":
                        if (api is null)
                        {
                            throw new FormatException($"{where}: '{words[0]}' before 'api'.");
                        }
                        current = new MessageDef
                        {
                            Api = api,
                            ApiKey = apiKey,
                            Kind = words[0] == "request" ? "Request" : "Response",
                            Valid = VersionRange.Parse(Attr(words, "versions", where)),
                            Flexible = VersionRange.Parse(Attr(words, "flexible", where)),
                        };
                        messages.Add(current);
                        stack.Clear();
                        stack.Add((0, current.Fields));
                        break;
                    case "data":
                        current = new MessageDef
                        {
                            Api = words[1],
                            ApiKey = -1,
                            Kind = "Data",
                            Valid = VersionRange.Parse(Attr(words, "versions", where)),
                            Flexible = VersionRange.Parse(Attr(words, "flexible", where)),
                        };
                        messages.Add(current);
                        stack.Clear();
                        stack.Add((0, current.Fields));
                        break;
                    default:
                        throw new FormatException($"{where}: expected 'api', 'request', 'response' or 'data', got '{words[0]}'.");
                }
                continue;
            }

            if (current is null)
            {
                throw new FormatException($"{where}: field outside a request, response or data structure.");
            }
            while (stack.Count > 1 && stack[^1].Indent >= indent)
            {
                stack.RemoveAt(stack.Count - 1);
            }
            if (indent % 2 != 0)
            {
                throw new FormatException($"{where}: indentation must be a multiple of two spaces.");
            }
            var field = new FieldDef { Name = words[0], Type = words[1], Line = i + 1 };
            foreach (string attribute in words.Skip(2))
            {
                int eq = attribute.IndexOf('=');
                if (eq < 0)
                {
                    throw new FormatException($"{where}: attribute '{attribute}' needs a value.");
                }
                string key = attribute[..eq], value = attribute[(eq + 1)..];
                switch (key)
                {
                    case "versions": field.Versions = VersionRange.Parse(value); break;
                    case "nullable": field.Nullable = VersionRange.Parse(value); break;
                    case "default": field.Default = value; break;
                    case "tag": field.Tag = int.Parse(value); break;
                    default: throw new FormatException($"{where}: unknown attribute '{key}'.");
                }
            }
            stack[^1].Into.Add(field);
            stack.Add((indent, field.Children));
        }
        return messages;
    }

    private static string Attr(string[] words, string name, string where)
    {
        int at = Array.IndexOf(words, name);
        if (at < 0 || at + 1 >= words.Length)
        {
            throw new FormatException($"{where}: missing '{name} <range>'.");
        }
        return words[at + 1];
    }
}
