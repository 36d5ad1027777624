using Rill.Protocol.Generator;

namespace Rill.Protocol.Tests;

public class GeneratedCodeTests
{
    [Fact]
    public void Checked_in_messages_match_the_definitions()
    {
        string root = RepoRoot();
        string definitions = Path.Combine(root, "src", "Rill.Protocol", "Definitions");
        string messages = Path.Combine(root, "src", "Rill.Protocol", "Messages");
        var generated = MessageGenerator.Generate(definitions);
        Assert.NotEmpty(generated);
        var onDisk = Directory.GetFiles(messages, "*.g.cs").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(generated.Keys.ToList(), onDisk);
        foreach (var (name, text) in generated)
        {
            Assert.True(text == File.ReadAllText(Path.Combine(messages, name)),
                $"{name} is stale: run `dotnet run --project tools/Rill.Protocol.Generator` from the repository root.");
        }
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rill.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Rill.slnx not found");
    }
}
