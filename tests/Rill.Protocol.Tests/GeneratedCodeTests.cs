using Rill.Protocol.Generator;

namespace Rill.Protocol.Tests;

public class GeneratedCodeTests
{
    [Fact]
    public void Checked_in_messages_and_data_types_match_the_definitions()
    {
        string root = RepoRoot();
        string protocol = Path.Combine(root, "src", "Rill.Protocol");
        var generated = MessageGenerator.Generate(Path.Combine(protocol, "Definitions"));
        Assert.NotEmpty(generated);
        Assert.Contains("Data/OffsetCommitValue.g.cs", generated.Keys);
        var onDisk = MessageGenerator.OutputFolders
            .SelectMany(folder => Directory.GetFiles(Path.Combine(protocol, folder), "*.g.cs").Select(f => folder + "/" + Path.GetFileName(f)))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(generated.Keys.ToList(), onDisk);
        foreach (var (name, text) in generated)
        {
            Assert.True(text == File.ReadAllText(Path.Combine(protocol, name)),
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
