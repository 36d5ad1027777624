namespace Rill.Protocol.Generator;

/// <summary>
/// Turns every definition file (src/Rill.Protocol/Definitions, subfolders included) into generated
/// C# files: output path relative to src/Rill.Protocol ("Messages/X.g.cs", "Data/Y.g.cs") -> contents.
/// </summary>
public static class MessageGenerator
{
    /// <summary>The folders (under src/Rill.Protocol) that hold only generated files.</summary>
    public static readonly string[] OutputFolders = ["Messages", "Data"];

    public static SortedDictionary<string, string> Generate(string definitionsDirectory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in Directory.GetFiles(definitionsDirectory, "*.def", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetRelativePath(definitionsDirectory, path).Replace('\\', '/');
            foreach (MessageDef message in DefinitionParser.Parse(File.ReadAllText(path), name))
            {
                files.Add(message.OutputPath, MessageEmitter.Emit(message, "Definitions/" + name));
            }
        }
        return files;
    }
}
