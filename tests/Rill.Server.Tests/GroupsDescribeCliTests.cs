using Rill.Client;
using Rill.Server;
using Rill.Server.Cli;

namespace Rill.Server.Tests;

/// <summary>`rill groups --describe` for an active member whose partitions are not all committed.</summary>
public class GroupsDescribeCliTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_partition_without_a_committed_offset_shows_dashes_for_offset_and_lag()
    {
        string b = fixture.Bootstrap, topic = BrokerFixture.NewTopic("cli"), group = "cli-" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = fixture.Admin())
        {
            await admin.CreateTopicsAsync([new NewTopic(topic, 2, 1)]);
        }
        await using var consumer = new Consumer<string, string>(fixture.Consumer(group, c => c.EnableAutoCommit = false));
        consumer.Subscribe(topic);
        for (int i = 0; i < 10 && consumer.Assignment.Count < 2; i++)
        {
            await consumer.ConsumeOneAsync(TimeSpan.FromSeconds(3));
        }
        Assert.Equal(2, consumer.Assignment.Count);
        await consumer.CommitAsync([new TopicPartitionOffset(topic, 0, 0)]);

        var output = new StringWriter();
        int code = await CommandLine.RunAsync(["groups", "--bootstrap-server", b, "--describe", "--group", group],
            new Console3(new StringReader(""), output, new StringWriter())).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, code);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches($"^{group} +{topic} +0 +0 +0 +0 +\\S+ +\\S+ +\\S+$", lines[^2]);
        Assert.Matches($"^{group} +{topic} +1 +- +0 +- +\\S+ +\\S+ +\\S+$", lines[^1]);
    }
}
