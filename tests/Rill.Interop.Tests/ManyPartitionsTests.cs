using System.Text.RegularExpressions;

namespace Rill.Interop.Tests;

/// <summary>
/// Many partitions on one broker (issue 16): a topic's creation survives SIGKILL once acknowledged, and a broker with
/// far fewer descriptors than partitions (ulimit -n 512) serves 2,000 written partitions by keeping only
/// rill.log.max.open.files segment files open (least recently used closed, reopened on use). Deleting a topic of 3,000
/// written partitions removes them all, and its name can be used again at once.
/// </summary>
public class ManyPartitionsTests
{
    private const string Script = "confluent_many_partitions.py";

    [Fact]
    public async Task A_topic_whose_creation_was_acknowledged_is_there_after_SIGKILL_and_a_restart()
    {
        await using RillProcess broker = await RillProcess.StartAsync();
        Assert.Contains("created", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "wide", "2000", "create"));
        await broker.KillAsync(); // at once: no partition was written, so the topic list is all there is on disk

        await broker.RestartAsync();
        string metadata = await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-L", "-t", "wide"]);
        Assert.Matches(@"topic ""wide"" with 2000 partitions", metadata);
        Assert.Contains("written 2000", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "wide", "2000", "write"));
        Assert.Contains("read 2000", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "wide", "2000", "check"));
    }

    [Fact]
    public async Task A_broker_limited_to_512_descriptors_writes_and_reads_back_2000_partitions_and_keeps_them_after_a_restart()
    {
        await using RillProcess broker = await RillProcess.StartWithOpenFileLimitAsync(512);
        Assert.Contains("created", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "many", "2000", "create"));
        Assert.Contains("written 2000", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "many", "2000", "write"));
        Assert.Contains("read 2000", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "many", "2000", "check"));
        Assert.True(OpenDescriptors(broker) < 512, $"{OpenDescriptors(broker)} descriptors open");

        // A clean restart under the same limit opens 2,000 logs with data; each segment file opens only when used.
        Assert.Equal(0, await broker.StopAsync());
        await broker.RestartAsync();
        Assert.Contains("read 2000", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "many", "2000", "check"));
        Assert.DoesNotMatch(new Regex("Too many open files", RegexOptions.IgnoreCase), broker.Output);
    }

    [Fact]
    public async Task Deleting_a_topic_of_3000_written_partitions_removes_every_log_and_frees_the_name()
    {
        await using RillProcess broker = await RillProcess.StartAsync();
        await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "keep", "1", "create");
        Assert.Contains("written 1", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "keep", "1", "write"));
        Assert.Contains("created", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "wide", "3000", "create"));
        Assert.Contains("written 3000", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "wide", "3000", "write"));
        Assert.Equal(3000, Directory.GetDirectories(broker.DataDirectory, "wide-*").Length);

        // One rename per partition, one directory sync and one checkpoint for all of them (LogManager.DeleteLogs):
        // one at a time, this took minutes at 10,000 partitions, beyond the client's request timeout.
        Assert.Contains("deleted", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "wide", "3000", "delete"));
        for (int i = 0; i < 600 && Directory.GetDirectories(broker.DataDirectory, "wide-*").Length > 0; i++)
        {
            await Task.Delay(100); // the renamed directories are removed in the background
        }
        Assert.Empty(Directory.GetDirectories(broker.DataDirectory, "wide-*"));
        Assert.DoesNotContain("wide", await ExternalTool.RunOkAsync("kcat", ["-b", broker.BootstrapServers, "-L"]));

        // The name is free at once, the new topic starts empty, and the other topic kept its record across a restart.
        Assert.Contains("created", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "wide", "3000", "create"));
        Assert.Contains("written 3000", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "wide", "3000", "write"));
        Assert.Equal(0, await broker.StopAsync());
        await broker.RestartAsync();
        Assert.Contains("read 3000", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "wide", "3000", "check"));
        Assert.Contains("read 1", await ExternalTool.PythonAsync(Script, broker.BootstrapServers, "keep", "1", "check"));
    }

    private static int OpenDescriptors(RillProcess broker) =>
        Directory.GetFiles($"/proc/{broker.ProcessId ?? throw new InvalidOperationException("broker not running")}/fd").Length;
}
