using System.Reflection;

namespace Rill.Broker.Tests;

/// <summary>DESIGN.md: dependencies point one way, Protocol &lt;- Storage &lt;- Coordination &lt;- Broker &lt;- Hosting &lt;- Server; Client depends on Protocol only.</summary>
public class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Rill.Protocol"] = [],
        ["Rill.Storage"] = ["Rill.Protocol"],
        ["Rill.Coordination"] = ["Rill.Protocol", "Rill.Storage"],
        ["Rill.Cluster"] = [],
        ["Rill.Broker"] = ["Rill.Protocol", "Rill.Storage", "Rill.Coordination", "Rill.Cluster"],
        ["Rill.Hosting"] = ["Rill.Protocol", "Rill.Storage", "Rill.Coordination", "Rill.Cluster", "Rill.Broker"],
        ["Rill.Client"] = ["Rill.Protocol"],
    };

    [Theory]
    [InlineData("Rill.Protocol")]
    [InlineData("Rill.Storage")]
    [InlineData("Rill.Coordination")]
    [InlineData("Rill.Cluster")]
    [InlineData("Rill.Broker")]
    [InlineData("Rill.Hosting")]
    [InlineData("Rill.Client")]
    public void Project_references_point_down_the_layers(string assemblyName)
    {
        Assembly assembly = Assembly.Load(assemblyName);
        var rill = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Rill.", StringComparison.Ordinal))
            .ToList();
        Assert.All(rill, name => Assert.Contains(name, Allowed[assemblyName]));
    }
}
