using System.IO.Compression;
using System.Xml.Linq;

namespace Rill.Packaging.Tests;

/// <summary>What `dotnet pack` puts into the three packages: metadata, README, XML docs, bundled internal assemblies.</summary>
[Collection(PackagesCollection.Name)]
public class PackageContentTests(PackedRepository packed)
{
    private static readonly string[] Internal = ["Rill.Protocol", "Rill.Storage", "Rill.Coordination", "Rill.Broker"];

    [Fact]
    public void Only_the_tool_and_the_two_libraries_are_packed()
    {
        Assert.Equal(
            PackedRepository.Packages.Select(id => $"{id}.{packed.PackageVersion}.nupkg").Order(StringComparer.Ordinal),
            Directory.GetFiles(packed.Folder, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("rill")]
    [InlineData("Rill.Client")]
    [InlineData("Rill.Hosting")]
    public void Each_package_has_real_metadata_and_a_readme(string id)
    {
        using ZipArchive zip = ZipFile.OpenRead(packed.PackagePath(id));
        XElement metadata = Metadata(zip, id);
        string Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
        Assert.Equal(id, Field("id"));
        Assert.Equal(packed.PackageVersion, Field("version"));
        Assert.DoesNotContain("Package Description", Field("description"));
        Assert.True(Field("description").Length > 80, Field("description"));
        Assert.Equal("The Rill authors", Field("authors"));
        Assert.Equal("MIT", Field("license"));
        Assert.Contains("kafka", Field("tags"));
        Assert.Equal("README.md", Field("readme"));
        Assert.NotNull(zip.GetEntry("README.md"));
        Assert.Equal("git", metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("type")?.Value);
    }

    [Theory]
    [InlineData("Rill.Client", new[] { "Rill.Protocol" })]
    [InlineData("Rill.Hosting", new[] { "Rill.Protocol", "Rill.Storage", "Rill.Coordination", "Rill.Broker" })]
    public void The_libraries_bundle_the_internal_assemblies_they_need_and_carry_xml_docs(string id, string[] bundled)
    {
        using ZipArchive zip = ZipFile.OpenRead(packed.PackagePath(id));
        var lib = zip.Entries.Where(e => e.FullName.StartsWith("lib/net10.0/", StringComparison.Ordinal)).Select(e => e.Name).ToHashSet();
        Assert.Contains($"{id}.dll", lib);
        Assert.Contains($"{id}.xml", lib);
        foreach (string assembly in bundled)
        {
            Assert.Contains($"{assembly}.dll", lib);
        }
        foreach (string assembly in Internal.Except(bundled))
        {
            Assert.DoesNotContain($"{assembly}.dll", lib);
        }
        // Package dependencies are third-party packages only: no package per internal assembly.
        var dependencies = Metadata(zip, id).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => e.Attribute("id")!.Value).ToList();
        Assert.NotEmpty(dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("Rill", StringComparison.OrdinalIgnoreCase));

        // Every public member is documented (the build enforces it; the shipped file has the docs).
        using var xml = zip.GetEntry($"lib/net10.0/{id}.xml")!.Open();
        var members = XDocument.Load(xml).Descendants("member").Select(m => m.Attribute("name")!.Value).ToList();
        Assert.Contains(members, m => m.StartsWith(id == "Rill.Client" ? "T:Rill.Client.Producer`2" : "T:Rill.Hosting.EmbeddedBroker", StringComparison.Ordinal));
    }

    [Fact]
    public void Rill_is_a_dotnet_tool_named_rill()
    {
        using ZipArchive zip = ZipFile.OpenRead(packed.PackagePath("rill"));
        Assert.Contains(Metadata(zip, "rill").Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
        ZipArchiveEntry settings = zip.Entries.Single(e => e.Name == "DotnetToolSettings.xml");
        using var stream = settings.Open();
        XElement command = XDocument.Load(stream).Descendants("Command").Single();
        Assert.Equal("rill", command.Attribute("Name")?.Value);
        Assert.Equal("rill.dll", command.Attribute("EntryPoint")?.Value);
    }

    private static XElement Metadata(ZipArchive zip, string id)
    {
        using Stream nuspec = zip.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }
}
