using Microsoft.Extensions.Logging.Abstractions;
using Rill.Broker.Clustering.Security;
using Rill.Broker.Tests.Clustering;
using Rill.Broker.WebConsole;

namespace Rill.Broker.Tests.WebConsole;

/// <summary>
/// The console's session key and revocations: kept in the log dir's file (owner-only, read back after a
/// restart) or, in a cluster, in the metadata store, where two brokers share one key and a logout through one
/// is seen by the other.
/// </summary>
public class ConsoleSessionStateTests
{
    [Fact]
    public void The_file_keeps_the_key_and_revocations_across_a_restart_and_drops_expired_revocations()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider();
        var first = ConsoleSessionState.InDirectory(dir.Path, time);
        byte[] key = first.SigningKey;
        Assert.Equal(32, key.Length);
        Assert.Equal(key, first.SigningKey);
        string file = Path.Combine(dir.Path, FileConsoleSessionStorage.FileName);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        first.Revoke("aa", time.GetUtcNow().AddMinutes(5));
        first.Revoke("bb", time.GetUtcNow().AddMinutes(1));

        var restarted = ConsoleSessionState.InDirectory(dir.Path, time);
        Assert.Equal(key, restarted.SigningKey);
        Assert.True(restarted.IsRevoked("aa"));
        Assert.True(restarted.IsRevoked("bb"));
        Assert.False(restarted.IsRevoked("cc"));
        Assert.NotEqual(key, ConsoleSessionState.InDirectory(dir.Sub("other"), time).SigningKey);

        time.Advance(TimeSpan.FromMinutes(2));
        restarted.Revoke("cc", time.GetUtcNow().AddMinutes(5)); // prunes bb, past its expiry
        Assert.DoesNotContain("bb", File.ReadAllText(file));
        Assert.True(ConsoleSessionState.InDirectory(dir.Path, time).IsRevoked("aa"));
    }

    [Fact]
    public async Task Two_brokers_of_a_cluster_share_the_key_and_see_each_others_logouts()
    {
        var store = new ClusterEntrySetTests.MemoryStore();
        using var stop = new CancellationTokenSource();
        var time = new FakeTimeProvider();
        var (a, b) = (new ClusterEntrySet("console sessions", NullLogger.Instance), new ClusterEntrySet("console sessions", NullLogger.Instance));
        await a.AttachAsync(store, "/c/security/console/", stop.Token);
        await b.AttachAsync(store, "/c/security/console/", stop.Token);
        var first = new ConsoleSessionState(new ClusterConsoleSessionStorage(a), time);
        var second = new ConsoleSessionState(new ClusterConsoleSessionStorage(b), time);
        await Eventually.TrueAsync(() => store.Watchers == 2, "both brokers watch the store");
        a.Changed += first.Reload;
        b.Changed += second.Reload;

        byte[] key = first.SigningKey;
        await Eventually.TrueAsync(() => b.Load().ContainsKey("key"), "the second broker sees the key");
        Assert.Equal(key, second.SigningKey);

        first.Revoke("0123", time.GetUtcNow().AddHours(1));
        await Eventually.TrueAsync(() => second.IsRevoked("0123"), "the logout through the first broker reaches the second");
        second.Revoke("4567", time.GetUtcNow().AddHours(1));
        await Eventually.TrueAsync(() => first.IsRevoked("4567") && first.IsRevoked("0123"), "both revocations are kept");
        Assert.Equal(key, first.SigningKey);
        stop.Cancel();
    }
}
