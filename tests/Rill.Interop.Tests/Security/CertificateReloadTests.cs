using Rill.Hosting;

namespace Rill.Interop.Tests.Security;

/// <summary>A PKCS#12 keystore served over SSL, replaced on disk while the broker runs.</summary>
public class CertificateReloadTests
{
    private static Task<ExternalTool.Result> KcatMetadataAsync(string bootstrap, string ca) => ExternalTool.RunAsync("kcat",
        ["-b", bootstrap, "-X", "security.protocol=ssl", "-X", $"ssl.ca.location={ca}", "-L", "-m", "5"], timeout: TimeSpan.FromSeconds(30));

    [Fact]
    public async Task A_replaced_pkcs12_keystore_is_served_without_a_restart()
    {
        using var first = new TestCertificates();
        using var second = new TestCertificates();
        string keystore = first.Path("live.p12");
        File.Copy(first.ServerP12, keystore);
        await using EmbeddedBroker broker = await EmbeddedBroker.StartAsync(new Dictionary<string, string>
        {
            ["listeners"] = "SSL://127.0.0.1:0",
            ["ssl.keystore.type"] = "PKCS12",
            ["ssl.keystore.location"] = keystore,
            ["ssl.keystore.password"] = TestCertificates.P12Password,
        });
        Assert.Equal(0, (await KcatMetadataAsync(broker.BootstrapServers, first.CaPem)).ExitCode);
        Assert.NotEqual(0, (await KcatMetadataAsync(broker.BootstrapServers, second.CaPem)).ExitCode);

        File.Copy(second.ServerP12, keystore + ".tmp");
        File.Move(keystore + ".tmp", keystore, overwrite: true);
        File.SetLastWriteTimeUtc(keystore, DateTime.UtcNow.AddMinutes(1)); // a distinct modification time even on coarse clocks

        await Eventually.TrueAsync(async () => (await KcatMetadataAsync(broker.BootstrapServers, second.CaPem)).ExitCode == 0,
            "the replaced certificate is served", TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, (await KcatMetadataAsync(broker.BootstrapServers, first.CaPem)).ExitCode);
    }
}
