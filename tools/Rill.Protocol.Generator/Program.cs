using Rill.Protocol.Generator;

// Usage: dotnet run --project tools/Rill.Protocol.Generator [-- <repo root>]
// Regenerates src/Rill.Protocol/Messages/*.g.cs from src/Rill.Protocol/Definitions/*.def.
string root = args.Length > 0 ? args[0] : Directory.GetCurrentDirectory();
string definitions = Path.Combine(root, "src", "Rill.Protocol", "Definitions");
string output = Path.Combine(root, "src", "Rill.Protocol", "Messages");
if (!Directory.Exists(definitions))
{
    Console.Error.WriteLine($"No definitions at {definitions}; run from the repository root or pass it.");
    return 1;
}
Directory.CreateDirectory(output);
var generated = MessageGenerator.Generate(definitions);
foreach (string stale in Directory.GetFiles(output, "*.g.cs"))
{
    if (!generated.ContainsKey(Path.GetFileName(stale)))
    {
        File.Delete(stale);
    }
}
foreach (var (name, text) in generated)
{
    File.WriteAllText(Path.Combine(output, name), text);
}
Console.WriteLine($"Generated {generated.Count} files in {output}");
return 0;
