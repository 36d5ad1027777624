namespace Rill.Packaging.Tests;

/// <summary>A fresh console project outside the repository uses Rill.Client and Rill.Hosting from the packed folder.</summary>
[Collection(PackagesCollection.Name)]
public class LibraryTests(PackedRepository packed)
{
    [Fact]
    public async Task A_fresh_project_starts_an_EmbeddedBroker_and_produces_and_consumes_through_the_packages()
    {
        string project = Directory.CreateTempSubdirectory("rill-consumer-").FullName;
        try
        {
            packed.WriteNuGetConfig(project);
            // Outside the repository: none of its Directory.Build.props / Directory.Packages.props apply.
            await File.WriteAllTextAsync(Path.Combine(project, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Rill.Client" Version="{packed.PackageVersion}" />
                    <PackageReference Include="Rill.Hosting" Version="{packed.PackageVersion}" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), """
                using Rill.Client;
                using Rill.Hosting;

                await using var broker = await EmbeddedBroker.StartAsync();
                await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, CompressionType = Rill.Protocol.Compression.CompressionType.Lz4 }))
                {
                    DeliveryResult delivered = await producer.ProduceAsync("greetings", "k", "hello from a package");
                    Console.WriteLine($"produced at {delivered.Offset}");
                }
                await using var consumer = new Consumer<string, string>(new ConsumerConfig
                {
                    BootstrapServers = broker.BootstrapServers,
                    GroupId = "packaged",
                    AutoOffsetReset = AutoOffsetReset.Earliest,
                });
                consumer.Subscribe("greetings");
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await foreach (var record in consumer.ConsumeAsync(timeout.Token))
                {
                    Console.WriteLine($"consumed {record.Key}={record.Value} at {record.Offset}");
                    break;
                }
                """);
            string output = await Dotnet.RunOkAsync("dotnet", ["run", "-c", "Release"], workingDirectory: project, timeout: TimeSpan.FromMinutes(2));
            Assert.Contains("produced at 0", output);
            Assert.Contains("consumed k=hello from a package at 0", output);
            Assert.DoesNotContain("warning", output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }
}
