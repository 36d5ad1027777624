using System.Text.Json;
using Microsoft.Playwright;

namespace Rill.Console.BrowserTests;

/// <summary>
/// The console's pages in chromium against a real `rill serve`: create a topic, produce, browse and
/// find a message, watch a group's lag rise and fall, reset its offsets, edit a config. Each page's
/// screenshot goes to docs/console/.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class ConsolePagesTests(ConsoleFixture fixture)
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    private static Task<string> Kcat(params string[] args) => ExternalTool.RunOkAsync("kcat", args, timeout: TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Overview_shows_the_broker_and_draws_live_throughput()
    {
        string topic = Unique("overview");
        await Kcat("-b", fixture.Broker.BootstrapServers, "-P", "-t", topic, "-K", ":"); // creates the topic (auto-create)
        await using PageSession session = await fixture.NewPageAsync();
        IPage page = session.Page;
        await fixture.OpenAsync(page, "/overview", "overview");
        Assert.Equal("1", await page.InnerTextAsync("[data-card='Brokers']"));
        Assert.Contains(fixture.Broker.Port.ToString(), await page.InnerTextAsync("#brokers"));

        // Traffic while the page is open shows in the throughput chart's points.
        string lines = string.Join('\n', Enumerable.Range(0, 500).Select(i => $"k{i}:value-{i}")) + "\n";
        await ExternalTool.RunOkAsync("kcat", ["-b", fixture.Broker.BootstrapServers, "-P", "-t", topic, "-K", ":"], stdin: lines, timeout: TimeSpan.FromSeconds(60));
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#throughput-chart .u-legend, #throughput-chart canvas').length > 0");
        JsonElement live = await fixture.GetAsync("/api/live?since=0");
        Assert.Contains(live.EnumerateArray(), p => p.GetProperty("messagesInPerSec").GetDouble() > 0);
        await Task.Delay(2500); // let the charts take two more points before the screenshot (a picture, not an assertion)
        await Screenshots.SaveAsync(page, "overview.png");
        session.AssertClean();
    }

    [Fact]
    public async Task Create_a_topic_produce_browse_and_find_a_message()
    {
        string topic = Unique("orders");
        await using PageSession session = await fixture.NewPageAsync();
        IPage page = session.Page;
        await fixture.OpenAsync(page, "/topics", "topics");
        await page.ClickAsync("#topic-create-open");
        await page.FillAsync("#create-name", topic);
        await page.FillAsync("#create-partitions", "2");
        await page.ClickAsync("#create-submit");
        await page.WaitForSelectorAsync("#view[data-loaded='topic']");
        Assert.Equal(topic, await page.InnerTextAsync("#topic-name"));
        Assert.Contains($"topic \"{topic}\" with 2 partitions", await Kcat("-b", fixture.Broker.BootstrapServers, "-L", "-t", topic));

        // Produce from the page; kcat reads it back.
        await page.ClickAsync("[data-tab-button='produce']");
        await page.SelectOptionAsync("#produce-partition", "1");
        await page.FillAsync("#produce-key", "order-1");
        await page.FillAsync("#produce-value", "{\"order\":1,\"item\":\"needle-in-console\",\"lines\":[1,2]}");
        await page.FillAsync("#produce-headers", "source=browser");
        await page.ClickAsync("#produce-send");
        await page.WaitForSelectorAsync("#produce-result:has-text('offset 0')");
        Assert.Contains("partition 1", await page.InnerTextAsync("#produce-result"));
        string read = await Kcat("-b", fixture.Broker.BootstrapServers, "-C", "-t", topic, "-p", "1", "-o", "0", "-c", "1", "-e", "-q", "-f", "%k|%h|%s\\n");
        Assert.Equal("order-1|source=browser|{\"order\":1,\"item\":\"needle-in-console\",\"lines\":[1,2]}", read.Trim());

        // More messages from kcat, then browse and search them in the page.
        string lines = string.Join('\n', Enumerable.Range(0, 300).Select(i => $"order-{i + 2}:{{\"order\":{i + 2},\"item\":\"item-{i + 2}\"}}")) + "\n";
        await ExternalTool.RunOkAsync("kcat", ["-b", fixture.Broker.BootstrapServers, "-P", "-t", topic, "-p", "0", "-K", ":"], stdin: lines, timeout: TimeSpan.FromSeconds(60));
        await page.ClickAsync("[data-tab-button='messages']");
        await page.SelectOptionAsync("#browse-partition", "0");
        await page.SelectOptionAsync("#browse-from", "offset");
        await page.FillAsync("#browse-offset", "100");
        await page.ClickAsync("#browse-load");
        await page.WaitForSelectorAsync("#messages tr.message[data-offset='100']");
        Assert.Equal(50, await page.Locator("#messages tr.message").CountAsync());

        await page.FillAsync("#search-value", "needle-in-console");
        await page.SelectOptionAsync("#browse-partition", "-1");
        await page.ClickAsync("#search-run");
        await page.WaitForSelectorAsync("#search-progress:has-text('done')");
        Assert.Equal(1, await page.Locator("#messages tr.message").CountAsync());
        await page.ClickAsync("#messages tr.message");
        string detail = await page.InnerTextAsync("#messages tr.detail");
        Assert.Contains("\"item\": \"needle-in-console\"", detail); // pretty-printed JSON
        Assert.Contains("source: browser", detail);

        // Export what is shown.
        IDownload download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-json"));
        string exported = await File.ReadAllTextAsync((await download.PathAsync())!);
        JsonElement message = Assert.Single(JsonDocument.Parse(exported).RootElement.EnumerateArray());
        Assert.Equal("order-1", message.GetProperty("key").GetString());
        download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-csv"));
        string csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("partition,offset,timestamp,key,value,headers\n1,0,", csv);
        await Screenshots.SaveAsync(page, "topic-messages.png");

        await page.ClickAsync("[data-tab-button='partitions']");
        await Screenshots.SaveAsync(page, "topic-partitions.png");

        // Edit a topic config; librdkafka's DescribeConfigs sees it.
        await page.ClickAsync("[data-tab-button='configs']");
        await page.FillAsync("#topic-configs .config-filter", "retention.ms");
        await page.ClickAsync("#topic-configs tr[data-config='retention.ms'] [data-edit]");
        await page.FillAsync("#topic-configs tr[data-config='retention.ms'] input[name='value']", "86400000");
        await page.ClickAsync("#topic-configs tr[data-config='retention.ms'] button[type='submit']");
        await page.WaitForSelectorAsync("#topic-configs tr[data-config='retention.ms']:has-text('DYNAMIC_TOPIC_CONFIG')");
        Assert.Equal("86400000", (await ExternalTool.PythonAsync("console_clients.py", "config", fixture.Broker.BootstrapServers, topic, "retention.ms")).Trim());
        await page.FillAsync("#topic-configs .config-filter", "");
        await Screenshots.SaveAsync(page, "topic-configs.png");

        await fixture.OpenAsync(page, "/topics", "topics");
        await page.FillAsync("#topic-filter", topic);
        await page.WaitForSelectorAsync($"#topics tr[data-topic='{topic}']");
        await fixture.OpenAsync(page, "/topics", "topics");
        await Screenshots.SaveAsync(page, "topics.png");
        session.AssertClean();
    }

    [Fact]
    public async Task A_slow_automatic_load_does_not_replace_the_messages_loaded_since()
    {
        string topic = Unique("slow");
        string lines = string.Join('\n', Enumerable.Range(0, 200).Select(i => $"k{i}:v{i}")) + "\n";
        await ExternalTool.RunOkAsync("kcat", ["-b", fixture.Broker.BootstrapServers, "-P", "-t", topic, "-p", "0", "-K", ":"], stdin: lines,
            timeout: TimeSpan.FromSeconds(60)); // auto-creates the topic
        await using PageSession session = await fixture.NewPageAsync();
        IPage page = session.Page;
        // Hold the automatic load (newest messages, when the tab opens) until the user's own Load has been answered.
        var userLoadAnswered = new TaskCompletionSource();
        await page.RouteAsync("**/messages?*", async route =>
        {
            if (route.Request.Url.Contains("from=newest"))
            {
                await userLoadAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            await route.ContinueAsync();
        });
        await fixture.OpenAsync(page, "/topics/" + Uri.EscapeDataString(topic), "topic");
        await page.ClickAsync("[data-tab-button='messages']");
        await page.SelectOptionAsync("#browse-partition", "0");
        await page.SelectOptionAsync("#browse-from", "offset");
        await page.FillAsync("#browse-offset", "100");
        IResponse answered = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#browse-load"), r => r.Url.Contains("from=offset"));
        await page.WaitForSelectorAsync("#messages tr.message[data-offset='100']");
        IResponse late = await page.RunAndWaitForResponseAsync(() => { userLoadAnswered.SetResult(); return Task.CompletedTask; },
            r => r.Url.Contains("from=newest"));
        Assert.True(answered.Ok && late.Ok);
        await late.FinishedAsync();
        await page.EvaluateAsync("() => new Promise(r => setTimeout(r, 100))"); // the late answer's continuation has run by now
        Assert.Equal("100", await page.Locator("#messages tr.message").First.GetAttributeAsync("data-offset"));
        Assert.Equal(50, await page.Locator("#messages tr.message").CountAsync());
        session.AssertClean();
    }

    [Fact]
    public async Task Watch_a_groups_lag_rise_and_fall_then_reset_its_offsets()
    {
        string topic = Unique("payments"), group = Unique("billing");
        string boot = fixture.Broker.BootstrapServers;
        await Kcat("-b", boot, "-P", "-t", topic, "-p", "0", "-K", ":"); // auto-creates the topic
        await ExternalTool.RunOkAsync("kcat", ["-b", boot, "-P", "-t", topic, "-p", "0"], stdin: "a\nb\nc\nd\ne\n", timeout: TimeSpan.FromSeconds(60));
        await ExternalTool.PythonAsync("produce_and_commit.py", "commit", boot, group, topic, "0", "5");

        await using PageSession session = await fixture.NewPageAsync();
        IPage page = session.Page;
        await fixture.OpenAsync(page, "/groups/" + Uri.EscapeDataString(group), "group");
        await page.WaitForSelectorAsync("[data-card='Lag (records)']:text-is('0')");

        // Lag rises: 40 records nobody has consumed.
        string lines = string.Join('\n', Enumerable.Range(0, 40).Select(i => $"payment-{i}")) + "\n";
        await ExternalTool.RunOkAsync("kcat", ["-b", boot, "-P", "-t", topic, "-p", "0"], stdin: lines, timeout: TimeSpan.FromSeconds(60));
        await page.WaitForSelectorAsync("[data-card='Lag (records)']:text-is('40')", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.Equal("40", await page.InnerTextAsync("#group-offsets td.lag"));

        // The history the server keeps (sampled every 5 s) records the rise...
        await Eventually.TrueAsync(async () => (await LagHistoryAsync(group)).Contains(40), "the lag history to record 40", TimeSpan.FromSeconds(30));

        // ...and the fall: a librdkafka consumer in the group reads them and commits.
        await ExternalTool.PythonAsync("console_clients.py", "consume", boot, group, topic, "40");
        await page.WaitForSelectorAsync("[data-card='Lag (records)']:text-is('0')", new PageWaitForSelectorOptions { Timeout = 30_000 });
        await Eventually.TrueAsync(async () => (await LagHistoryAsync(group))[^1] == 0, "the lag history to record 0 again", TimeSpan.FromSeconds(30));

        // Reset to the earliest offset, after looking at the plan.
        await Eventually.TrueAsync(async () => await page.IsEnabledAsync("#reset-preview"), "the reset to be allowed (group empty)");
        await page.SelectOptionAsync("#reset-to", "earliest");
        await page.ClickAsync("#reset-preview");
        await page.WaitForSelectorAsync("#reset-plan");
        Assert.Contains("45", await page.InnerTextAsync("#reset-plan")); // current offset 45 -> 0
        await Screenshots.SaveAsync(page, "group-reset.png");
        await page.ClickAsync("#confirm-yes");
        await page.WaitForSelectorAsync("[data-card='Lag (records)']:text-is('45')", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.Equal("0", (await ExternalTool.PythonAsync("console_clients.py", "committed", boot, group, topic, "0")).Trim());
        await Eventually.TrueAsync(async () => await page.EvaluateAsync<int>("() => document.querySelectorAll('#lag-chart canvas').length") > 0,
            "the lag chart to be drawn");
        await Task.Delay(5500); // one more lag sample on the chart for the screenshot (a picture, not an assertion)
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Screenshots.SaveAsync(page, "group.png");

        await fixture.OpenAsync(page, "/groups", "groups");
        await page.WaitForSelectorAsync($"#groups tr[data-group='{group}']");
        await Screenshots.SaveAsync(page, "groups.png");
        session.AssertClean();
    }

    private async Task<List<long>> LagHistoryAsync(string group) =>
        (await fixture.GetAsync($"/api/groups/{group}/lag-history")).EnumerateArray().Select(p => p.GetProperty("lagRecords").GetInt64()).ToList();

    [Fact]
    public async Task Broker_configs_edit_a_dynamic_property_and_the_security_page_without_an_authorizer()
    {
        await using PageSession session = await fixture.NewPageAsync();
        IPage page = session.Page;
        await fixture.OpenAsync(page, "/broker", "broker");
        await page.WaitForSelectorAsync("#broker-configs tr[data-config='log.retention.ms']");
        Assert.Contains("read-only", await page.InnerTextAsync("#broker-configs tr[data-config='log.dirs']"));
        await page.FillAsync("#broker-configs .config-filter", "log.retention.ms");
        await page.ClickAsync("#broker-configs tr[data-config='log.retention.ms'] [data-edit]");
        await page.FillAsync("#broker-configs tr[data-config='log.retention.ms'] input[name='value']", "172800000");
        await page.ClickAsync("#broker-configs tr[data-config='log.retention.ms'] button[type='submit']");
        await page.WaitForSelectorAsync("#broker-configs tr[data-config='log.retention.ms']:has-text('DYNAMIC_BROKER_CONFIG')");
        JsonElement entry = (await fixture.GetAsync("/api/broker/configs")).EnumerateArray().Single(c => c.GetProperty("name").GetString() == "log.retention.ms");
        Assert.Equal("172800000", entry.GetProperty("value").GetString());
        await page.ClickAsync("#broker-configs tr[data-config='log.retention.ms'] [data-reset]");
        await page.WaitForSelectorAsync("#broker-configs tr[data-config='log.retention.ms']:has-text('DEFAULT_CONFIG')");
        await page.FillAsync("#broker-configs .config-filter", "log.");
        await Screenshots.SaveAsync(page, "broker-configs.png");

        // Without an authorizer the ACLs & users page says so instead of listing ACLs (ConsoleLoginTests has the secured page and its screenshot).
        await fixture.OpenAsync(page, "/security", "security");
        Assert.Contains("ACLs", await page.InnerTextAsync("#view h1"));
        Assert.Contains("No authorizer is configured", await page.InnerTextAsync("#acls-note"));
        session.AssertClean();
    }
}
