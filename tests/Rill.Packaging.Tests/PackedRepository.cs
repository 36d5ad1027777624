using System.Text.RegularExpressions;

namespace Rill.Packaging.Tests;

/// <summary>
/// Packs the `rill` tool, Rill.Client and Rill.Hosting once into a temporary folder, in the
/// configuration these tests were built in (so an earlier build of it is reused). The packages get
/// a unique prerelease version, so the NuGet cache can never hand a later run a stale package;
/// <see cref="RepositoryVersion"/> is the version the repository itself gives them.
/// </summary>
public sealed class PackedRepository : IAsyncLifetime
{
    public string RepositoryRoot { get; } = FindRoot();
    public string Folder { get; } = Directory.CreateTempSubdirectory("rill-packages-").FullName;
    public string RepositoryVersion { get; private set; } = "";
    public string PackageVersion { get; private set; } = "";

#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static readonly string[] Packages = ["rill", "Rill.Client", "Rill.Hosting"];

    public async Task InitializeAsync()
    {
        string props = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "Directory.Build.props"));
        RepositoryVersion = Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.Matches(@"^\d+\.\d+\.\d+$", RepositoryVersion);
        PackageVersion = $"{RepositoryVersion}-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        foreach (string project in new[] { "src/Rill.Server", "src/Rill.Client", "src/Rill.Hosting" })
        {
            // Restore as a plain build does, then pack without restoring: the test version must not
            // reach the projects' restore output, which the other test projects' builds share.
            string path = Path.Combine(RepositoryRoot, project);
            await Dotnet.RunOkAsync("dotnet", ["restore", path, "-nologo", "-v", "q"], timeout: TimeSpan.FromMinutes(2));
            await Dotnet.RunOkAsync("dotnet", ["pack", path, "--no-restore", "-c", Configuration, "-o", Folder,
                $"-p:PackageVersion={PackageVersion}", "-nologo", "-v", "q"], timeout: TimeSpan.FromMinutes(3));
        }
    }

    public string PackagePath(string id) => Path.Combine(Folder, $"{id}.{PackageVersion}.nupkg");

    /// <summary>Deletes the packages and what restoring them put into the NuGet cache (only this run's version).</summary>
    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in Packages)
        {
            string extracted = Path.Combine(cache, id.ToLowerInvariant(), PackageVersion);
            if (Directory.Exists(extracted))
            {
                Directory.Delete(extracted, recursive: true);
            }
            string idFolder = Path.GetDirectoryName(extracted)!;
            if (Directory.Exists(idFolder) && !Directory.EnumerateFileSystemEntries(idFolder).Any())
            {
                Directory.Delete(idFolder);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A nuget.config that finds the packed packages first, then the configured feeds.</summary>
    public string WriteNuGetConfig(string directory)
    {
        string path = Path.Combine(directory, "nuget.config");
        File.WriteAllText(path, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="rill-packed" value="{Folder}" />
              </packageSources>
            </configuration>
            """);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rill.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Rill.slnx not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackedRepository>
{
    public const string Name = "packages";
}
