namespace Rill.Interop.Tests;

/// <summary>
/// Per-record produce errors (KIP-467) as independent clients see them: librdkafka 2.15 (Produce v8+)
/// fails only the named records with INVALID_RECORD and the rest of the batch with
/// ERR__INVALID_DIFFERENT_RECORD; librdkafka 2.0.2 (Produce v7, no record_errors) fails the whole batch.
/// </summary>
public class RecordErrorsInteropTests(RillFixture fixture) : IClassFixture<RillFixture>
{
    private static string Ckjs => Path.Combine(ExternalTool.ScriptsDirectory, "ckjs");

    [Fact]
    public async Task Librdkafka_2_15_fails_only_the_keyless_records_with_INVALID_RECORD()
    {
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(Ckjs, "record_errors.js"), fixture.Broker.BootstrapServers, "kip467-ckjs"],
            timeout: TimeSpan.FromSeconds(120), workingDirectory: Ckjs);
        Assert.Contains("codes -138,87,-138,87,-138,-138", output);
        Assert.Contains("ok record errors", output);
    }

    [Fact]
    public async Task Librdkafka_2_0_2_fails_the_whole_batch_and_nothing_is_appended()
    {
        string output = await ExternalTool.PythonAsync("confluent_record_errors.py", fixture.Broker.BootstrapServers, "kip467-confluent");
        Assert.Contains("ok librdkafka 2.0.2 record errors", output);
    }
}
