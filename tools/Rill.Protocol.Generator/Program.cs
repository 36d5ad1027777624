using Rill.Protocol.Generator;

// Usage: dotnet run --project tools/Rill.Protocol.Generator [-- <repo root>]
// Regenerates src/Rill.Protocol/Messages/*.g.cs (API messages) and src/Rill.Protocol/Data/*.g.cs
// (stored records and consumer protocol payloads) from src/Rill.Protocol/Definitions/**/*.def.
string root = args.Length > 0 ? args[0] : Directory.GetCurrentDirectory();
string protocol = Path.Combine(root, "src", "Rill.Protocol");
string definitions = Path.Combine(protocol, "Definitions");
if (!Directory.Exists(definitions))
{
    Console.Error.WriteLine($"No definitions at {definitions}; run from the repository root or pass it.");
    return 1;
}
var generated = MessageGenerator.Generate(definitions);
foreach (string folder in MessageGenerator.OutputFolders)
{
    string directory = Path.Combine(protocol, folder);
    Directory.CreateDirectory(directory);
    foreach (string stale in Directory.GetFiles(directory, "*.g.cs"))
    {
        if (!generated.ContainsKey(folder + "/" + Path.GetFileName(stale)))
        {
            File.Delete(stale);
        }
    }
}
foreach (var (name, text) in generated)
{
    File.WriteAllText(Path.Combine(protocol, name), text);
}
Console.WriteLine($"Generated {generated.Count} files in {protocol}");
return 0;
