namespace Rill.Interop.Tests;

/// <summary>Committed offsets live in __consumer_offsets: a group resumes where it committed after SIGTERM and after SIGKILL.</summary>
public class GroupRestartTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Group_resumes_at_its_committed_offset_after_a_restart(bool kill)
    {
        await using var broker = await RillProcess.StartAsync("group.initial.rebalance.delay.ms=0");
        string topic = kill ? "resume-kill" : "resume-term";
        await ExternalTool.PythonAsync("confluent_resume.py", broker.BootstrapServers, topic, "commit");
        if (kill)
        {
            await broker.KillAsync();
        }
        else
        {
            Assert.Equal(0, await broker.StopAsync());
        }
        await broker.RestartAsync();
        string output = await ExternalTool.PythonAsync("confluent_resume.py", broker.BootstrapServers, topic, "resume");
        Assert.Contains("ok resume", output);
    }
}
