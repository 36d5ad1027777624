using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Rill.Broker.Config;
using Rill.Broker.Handlers;

namespace Rill.Broker.Tests;

/// <summary>The README's API table must say exactly what the handler registry serves.</summary>
public class ReadmeCompatibilityTableTests
{
    [Fact]
    public async Task Readme_table_matches_the_registered_handlers()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int start = readme.IndexOf("<!-- api-table:start -->", StringComparison.Ordinal);
        int end = readme.IndexOf("<!-- api-table:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no api-table markers");

        var documented = Regex.Matches(readme[start..end], @"^\| (\d+) \| (\w+) \| (\d+)(?:–(\d+))? \|$", RegexOptions.Multiline)
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value} {m.Groups[3].Value}-{(m.Groups[4].Success ? m.Groups[4].Value : m.Groups[3].Value)}")
            .ToList();

        string dir = Directory.CreateTempSubdirectory("rill-readme-").FullName;
        try
        {
            var config = BrokerConfig.FromProperties(new Dictionary<string, string> { ["log.dirs"] = dir });
            await using var broker = new KafkaBroker(config, NullLoggerFactory.Instance);
            var registered = broker.Handlers.All
                .Select(h => $"{(short)h.Key} {h.Key} {h.MinVersion}-{h.MaxVersion}")
                .ToList();
            Assert.Equal(registered, documented);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
