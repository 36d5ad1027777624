using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Rill.Tracking.City;
using Rill.Tracking.Hosting;
using Rill.Tracking.Positions;

namespace Rill.Tracking.Tests;

/// <summary>The app as its own process, killed with SIGKILL mid-stream: no acked update is lost.</summary>
public sealed partial class KillTests
{
    [GeneratedRegex(@"app\s+(http://127\.0\.0\.1:\d+)/")]
    private static partial Regex AppUrl();

    private static async Task<(Process Process, Uri Url)> StartProcessAsync(string bootstrap, string dir)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Rill.Tracking.dll");
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:0 --data \"{dir}\" --bootstrap-server {bootstrap} " +
                                                  $"--operator-key {TestApp.Key} --roles ingest,history --partitions 4 --rider-rate 1000")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info)!;
        var url = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && AppUrl().Match(line) is { Success: true } m)
            {
                url.TrySetResult(new Uri(m.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return (process, await url.Task.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        catch
        {
            process.Kill(true);
            throw;
        }
    }

    [Fact]
    public async Task AKill9MidStreamLosesNoAckedUpdate()
    {
        string dir = Directory.CreateTempSubdirectory("rill-tracking-kill-").FullName;
        await using var broker = await TestApp.StartBrokerAsync();
        var acked = new ConcurrentDictionary<long, bool>();
        long baseTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        var (process, url) = await StartProcessAsync(broker.BootstrapServers, dir);
        try
        {
            using var http = new HttpClient { BaseAddress = url };
            http.DefaultRequestHeaders.Authorization = new("Bearer", TestApp.Key);
            await Wait.UntilAsync(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, "the app process to be healthy");
            var tokenResponse = await http.PostAsync("/api/riders", JsonContent.Create(new { riderId = "kill-1", region = "south" }));
            string token = (await tokenResponse.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("token").GetString()!;
            await using var rider = new RiderSocketClient("kill-1");
            rider.AckReceived += (seq, _) => acked[seq] = true;
            await rider.ConnectAsync(url, token);
            // stream without waiting for acks; kill the process while updates are in flight
            for (long seq = 1; seq <= 100_000 && rider.State == System.Net.WebSockets.WebSocketState.Open; seq++)
            {
                try
                {
                    await rider.SendAsync(null, 48.12, 11.58, 5, 90, baseTs + seq, seq);
                }
                catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or IOException or OperationCanceledException)
                {
                    break; // the kill broke the socket (a send on a broken pipe surfaces as OperationCanceledException)
                }
                if (seq % 20 == 0)
                {
                    await Task.Delay(5);
                }
                if (acked.Count >= 300 && !process.HasExited)
                {
                    process.Kill(); // SIGKILL
                }
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(true);
            }
            await process.WaitForExitAsync();
        }
        Assert.True(acked.Count >= 300, $"only {acked.Count} acks before the kill");
        var ackedSeqs = acked.Keys.ToHashSet();

        // every acked update is in the log
        var inLog = (await TopicContents.ReadAllAsync(broker.BootstrapServers, TopicNames.RiderUpdates))
            .Where(r => r.Key == "kill-1").Select(r => TrackingJson.Deserialize<RiderUpdate>(r.Value)!.Seq!.Value).ToHashSet();
        Assert.Empty(ackedSeqs.Except(inLog));

        // the restarted app's history catches up: every record in the log once, every acked update among them
        var (again, url2) = await StartProcessAsync(broker.BootstrapServers, dir);
        try
        {
            await HistoryTests.WaitGroupCaughtUpAsync(broker.BootstrapServers, GroupIds.History);
            using var http = new HttpClient { BaseAddress = url2 };
            http.DefaultRequestHeaders.Authorization = new("Bearer", TestApp.Key);
            var rows = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/riders/kill-1/history?limit=100000");
            var stored = rows.EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal(stored.Count, stored.Distinct().Count());
            Assert.Empty(ackedSeqs.Except(stored));
            Assert.Equal(inLog.Count, stored.Count);
        }
        finally
        {
            again.Kill(true);
            await again.WaitForExitAsync();
        }
        Directory.Delete(dir, true);
    }
}
