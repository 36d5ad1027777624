namespace Rill.Protocol.Generator;

/// <summary>Turns every definition file into generated C# files (file name -> contents).</summary>
public static class MessageGenerator
{
    public static SortedDictionary<string, string> Generate(string definitionsDirectory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(definitionsDirectory, "*.def").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            foreach (MessageDef message in DefinitionParser.Parse(File.ReadAllText(path), name))
            {
                files.Add(message.ClassName + ".g.cs", MessageEmitter.Emit(message, "Definitions/" + name));
            }
        }
        return files;
    }
}
