namespace Rill.Interop.Tests;

/// <summary>
/// KIP-848 (group.protocol=consumer) with librdkafka 2.15 through @confluentinc/kafka-javascript,
/// built by .ci/run: ConsumerGroupHeartbeat, server-side assignment, revocation before
/// assignment, OffsetCommit/OffsetFetch v9 with member epochs, ConsumerGroupDescribe.
/// </summary>
public class ConsumerProtocolTests
{
    private static string Ckjs => Path.Combine(ExternalTool.ScriptsDirectory, "ckjs");

    [Fact]
    public async Task Librdkafka_consumer_protocol_members_share_leave_and_rejoin()
    {
        await using var broker = await RillProcess.StartAsync("group.consumer.heartbeat.interval.ms=500");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(Ckjs, "kip848_group.js"), broker.BootstrapServers, "kip848-topic", "kip848-group"],
            timeout: TimeSpan.FromSeconds(200), workingDirectory: Ckjs);
        Assert.Contains("shared [0,1] [2,3]", output);
        Assert.Contains("took over", output);
        Assert.Contains("\"members\":2", output);
        Assert.Contains("ok 200 duplicates 0", output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_consumer_protocol_group_resumes_at_its_committed_offsets_after_a_restart(bool kill)
    {
        // The first member exits without leaving: after the restart it is still a member (its
        // state is persisted) and holds its partitions until its session times out.
        await using var broker = await RillProcess.StartAsync("group.consumer.heartbeat.interval.ms=500", "group.consumer.session.timeout.ms=6000");
        string topic = kill ? "kip848-resume-kill" : "kip848-resume-term";
        string script = Path.Combine(Ckjs, "kip848_resume.js");
        string first = await ExternalTool.RunOkAsync("node", [script, broker.BootstrapServers, topic, topic + "-group", "commit"],
            timeout: TimeSpan.FromSeconds(150), workingDirectory: Ckjs);
        Assert.Contains("ok commit 100", first);
        if (kill)
        {
            await broker.KillAsync();
        }
        else
        {
            Assert.Equal(0, await broker.StopAsync());
        }
        await broker.RestartAsync();
        string second = await ExternalTool.RunOkAsync("node", [script, broker.BootstrapServers, topic, topic + "-group", "resume"],
            timeout: TimeSpan.FromSeconds(150), workingDirectory: Ckjs);
        Assert.Contains("ok resume 50", second);
    }
}
