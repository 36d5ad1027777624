using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace Rill.Console.BrowserTests;

/// <summary>Runs only with RILL_CONSOLE_BENCH=1 (bench/console.sh): minutes of setup, figures for docs/benchmarks.md.</summary>
public sealed class BenchFactAttribute : FactAttribute
{
    public BenchFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("RILL_CONSOLE_BENCH") != "1")
        {
            Skip = "benchmark: run bench/console.sh";
        }
    }
}

/// <summary>
/// The console's targets: every page loads in at most 300 ms with 1,000 topics and 200 groups, and
/// the message browser's value search over a large partition. Prints the figures; asserts nothing
/// about speed beyond finding the needle (the figures go to docs/benchmarks.md with the machine).
/// </summary>
public sealed class ConsoleBench(Xunit.Abstractions.ITestOutputHelper output)
{
    private void Report(string line)
    {
        output.WriteLine(line);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "rill-console-bench.txt"), line + "\n");
    }

    [BenchFact]
    public async Task Pages_with_1000_topics_and_200_groups()
    {
        await using var broker = await RillProcess.StartAsync("num.partitions=1");
        using var http = new HttpClient { BaseAddress = broker.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
        var setup = Stopwatch.StartNew();
        for (int i = 0; i < 1000; i++)
        {
            (await http.PostAsJsonAsync("/api/topics", new { name = $"bench-topic-{i:D4}", partitions = i % 10 == 0 ? 6 : 1 })).EnsureSuccessStatusCode();
        }
        for (int i = 0; i < 100; i++)
        {
            (await http.PostAsJsonAsync($"/api/topics/bench-topic-{i:D4}/messages", new { key = $"k{i}", value = $"{{\"n\":{i}}}" })).EnsureSuccessStatusCode();
        }
        await ExternalTool.PythonAsync("console_clients.py", "commit-many", broker.BootstrapServers, "bench-group", "200", "bench-topic-0001");
        Report($"setup: 1000 topics (1,500 partitions), 200 groups in {setup.Elapsed.TotalSeconds:F1} s");

        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--headless", "--no-sandbox", "--disable-gpu"],
        });
        IPage page = await browser.NewPageAsync();
        var routes = new (string Route, string Loaded)[]
        {
            ("/overview", "overview"), ("/topics", "topics"), ("/topics/bench-topic-0000", "topic"), ("/groups", "groups"),
            ("/groups/bench-group-7", "group"), ("/broker", "broker"),
        };
        foreach (var (route, loaded) in routes)
        {
            var times = new List<double>();
            for (int i = 0; i < 7; i++)
            {
                // A full load each time: navigation start to the page's data on screen.
                await page.GotoAsync("about:blank");
                await page.GotoAsync(new Uri(broker.HttpAddress!, "/console/#" + route).ToString());
                await page.WaitForSelectorAsync($"#view[data-loaded='{loaded}']", new PageWaitForSelectorOptions { Timeout = 30_000 });
                times.Add(await page.EvaluateAsync<double>("() => window.__rillLoadMs"));
            }
            times.Sort();
            Report($"page {route,-26} median {times[times.Count / 2],6:F0} ms, max {times[^1],6:F0} ms (7 full loads)");
        }
        JsonElement topics = await http.GetFromJsonAsync<JsonElement>("/api/topics?limit=50");
        Assert.Equal(1000, topics.GetProperty("total").GetInt32());
        JsonElement groups = await http.GetFromJsonAsync<JsonElement>("/api/groups?limit=50");
        Assert.Equal(200, groups.GetProperty("total").GetInt32());
    }

    [BenchFact]
    public async Task Value_search_over_a_large_partition()
    {
        int mb = int.Parse(Environment.GetEnvironmentVariable("RILL_CONSOLE_BENCH_MB") ?? "300");
        await using var broker = await RillProcess.StartAsync("num.partitions=1", "log.segment.bytes=1073741824");
        using var http = new HttpClient { BaseAddress = broker.HttpAddress, Timeout = TimeSpan.FromSeconds(120) };
        string[] codecs = (Environment.GetEnvironmentVariable("RILL_CONSOLE_BENCH_CODECS") ?? "none,lz4,zstd,snappy").Split(',');
        foreach (string compression in codecs)
        {
            string topic = "bench-search-" + compression;
            var produce = Stopwatch.StartNew();
            string count = await ExternalTool.PythonAsync("console_clients.py", "produce-bulk", broker.BootstrapServers, topic, mb.ToString(), "1024",
                "needle-7f3a9c", compression);
            long size = (await http.GetFromJsonAsync<JsonElement>($"/api/topics/{topic}")).GetProperty("partitions")[0].GetProperty("sizeBytes").GetInt64();
            Report($"search {compression}: {count.Trim()} records, {size / 1048576.0:F0} MB on disk (produced in {produce.Elapsed.TotalSeconds:F1} s)");
            for (int run = 0; run < 3; run++)
            {
                // The page's loop: 1 s passes until done, resuming from the cursor.
                using var brokerProcess = Process.GetProcessById(broker.ProcessId!.Value);
                TimeSpan cpuBefore = brokerProcess.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                string? cursor = null;
                long scanned = 0;
                int passes = 0, found = 0;
                while (true)
                {
                    passes++;
                    JsonElement pass = await http.GetFromJsonAsync<JsonElement>($"/api/topics/{topic}/search?value=needle-7f3a9c&budgetMs=1000&budgetBytes={4L << 30}"
                        + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
                    scanned += pass.GetProperty("scannedBytes").GetInt64();
                    found += pass.GetProperty("matches").GetArrayLength();
                    JsonElement p = pass.GetProperty("positions")[0];
                    cursor = $"0:{p.GetProperty("next").GetInt64()}:{p.GetProperty("end").GetInt64()}";
                    if (pass.GetProperty("done").GetBoolean() || found > 0)
                    {
                        break;
                    }
                }
                double seconds = clock.Elapsed.TotalSeconds;
                brokerProcess.Refresh();
                double cpu = (brokerProcess.TotalProcessorTime - cpuBefore).TotalSeconds;
                Assert.Equal(1, found);
                Report($"search {compression} run {run + 1}: found after {scanned / 1048576.0:F0} MB in {seconds:F2} s ({scanned / 1048576.0 / seconds:F0} MB/s, {passes} pass(es));"
                    + $" broker CPU {cpu:F2} s = {cpu / (scanned / 1e9):F2} s per GB on disk; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            }
        }
    }
}
