using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Rill.Server.Cli;

/// <summary>
/// `rill top`: a live terminal view of a broker, from two scrapes of its /metrics a few seconds
/// apart: throughput per topic, the busiest partitions (offsets appended per second) and the
/// largest consumer lags, in records and seconds.
/// </summary>
internal static class TopCommand
{
    private const string Help = """
        Usage: rill top [--url http://127.0.0.1:9644] [--interval-ms 2000] [--rows 10] [--once]

        A live view of a broker's throughput per topic, busiest partitions and consumer lag, read from
        the /metrics endpoint of `rill serve` (rill.http.listener). Ctrl+C quits.

        Options:
          --url URL          the broker's HTTP listener (default http://127.0.0.1:9644)
          --interval-ms MS   time between two scrapes; rates are over this interval (default 2000)
          --rows N           rows per table (default 10)
          --once             print one view (after one interval) and exit
          -h, --help         this help
        """;

    public static Task<int> RunAsync(string[] args, Console3 io) => CliRunner.RunAsync("top", Help, args, io, async () =>
    {
        var a = CliArgs.Parse(args, ["--url", "--interval-ms", "--rows"], ["--once"]);
        var url = new Uri(new Uri(a.Get("--url") ?? "http://127.0.0.1:9644"), "/metrics");
        int interval = a.GetInt("--interval-ms", 2000), rows = a.GetInt("--rows", 10);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(io.Out),
            Ansi = a.Has("--once") ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = a.Has("--once") ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        var (previous, previousAt) = await ScrapeAsync(http, url, stop.Token).ConfigureAwait(false);
        if (a.Has("--once"))
        {
            await Task.Delay(interval, stop.Token).ConfigureAwait(false);
            var (current, at) = await ScrapeAsync(http, url, stop.Token).ConfigureAwait(false);
            console.Write(Render(url, previous, current, (at - previousAt) / (double)Stopwatch.Frequency, rows));
            return 0;
        }
        try
        {
            await console.Live(new Text("waiting for the first interval...")).StartAsync(async live =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(interval, stop.Token).ConfigureAwait(false);
                    var (current, at) = await ScrapeAsync(http, url, stop.Token).ConfigureAwait(false);
                    live.UpdateTarget(Render(url, previous, current, (at - previousAt) / (double)Stopwatch.Frequency, rows));
                    (previous, previousAt) = (current, at);
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        return 0;
    });

    private static async Task<(List<PrometheusSample> Samples, long At)> ScrapeAsync(HttpClient http, Uri url, CancellationToken cancel)
    {
        string text;
        try
        {
            text = await http.GetStringAsync(url, cancel).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"cannot read {url}: {e.Message}", e);
        }
        return (PrometheusText.Parse(text), Stopwatch.GetTimestamp());
    }

    private static IRenderable Render(Uri url, List<PrometheusSample> before, List<PrometheusSample> after, double seconds, int rows)
    {
        double Rate(string name, Func<PrometheusSample, string> key, string k)
        {
            double now = after.Where(s => s.Name == name && key(s) == k).Sum(s => s.Value);
            double then = before.Where(s => s.Name == name && key(s) == k).Sum(s => s.Value);
            return seconds > 0 ? Math.Max(0, now - then) / seconds : 0;
        }

        var topics = new Table().Title("Topics").AddColumns("topic", "in MB/s", "in msg/s", "out MB/s", "size MB");
        foreach (string topic in after.Where(s => s.Name == "rill_log_size_bytes").Select(s => s.Label("topic")).Distinct()
                     .Select(t => (Topic: t, In: Rate("rill_topic_in_bytes_total", s => s.Label("topic"), t)))
                     .OrderByDescending(t => t.In).ThenBy(t => t.Topic, StringComparer.Ordinal).Take(rows).Select(t => t.Topic))
        {
            topics.AddRow(Markup.Escape(topic),
                F(Rate("rill_topic_in_bytes_total", s => s.Label("topic"), topic) / 1e6),
                F(Rate("rill_topic_in_messages_total", s => s.Label("topic"), topic), 0),
                F(Rate("rill_topic_out_bytes_total", s => s.Label("topic"), topic) / 1e6),
                F(after.Where(s => s.Name == "rill_log_size_bytes" && s.Label("topic") == topic).Sum(s => s.Value) / 1e6));
        }

        static string Partition(PrometheusSample s) => $"{s.Label("topic")}-{s.Label("partition")}";
        var partitions = new Table().Title("Busiest partitions").AddColumns("partition", "records/s", "end offset");
        foreach (var p in after.Where(s => s.Name == "rill_log_end_offset")
                     .Select(s => (Name: Partition(s), Rate: Rate("rill_log_end_offset", Partition, Partition(s)), End: s.Value))
                     .OrderByDescending(p => p.Rate).ThenByDescending(p => p.End).ThenBy(p => p.Name, StringComparer.Ordinal).Take(rows))
        {
            partitions.AddRow(Markup.Escape(p.Name), F(p.Rate, 0), F(p.End, 0));
        }

        var lag = new Table().Title("Consumer lag").AddColumns("group", "partition", "lag (records)", "lag (s)");
        foreach (var s in after.Where(s => s.Name == "rill_consumer_lag_records").OrderByDescending(s => s.Value)
                     .ThenBy(s => s.Label("group"), StringComparer.Ordinal).Take(rows))
        {
            double lagSeconds = after.FirstOrDefault(t => t.Name == "rill_consumer_lag_seconds" && t.Label("group") == s.Label("group")
                && Partition(t) == Partition(s))?.Value ?? 0;
            lag.AddRow(Markup.Escape(s.Label("group")), Markup.Escape(Partition(s)), F(s.Value, 0), F(lagSeconds, 1));
        }

        double connections = after.Where(s => s.Name == "rill_connection_active").Sum(s => s.Value);
        double requests = after.Where(s => s.Name == "rill_requests_total").Sum(s => s.Value) - before.Where(s => s.Name == "rill_requests_total").Sum(s => s.Value);
        var header = new Text($"{url.GetLeftPart(UriPartial.Authority)}  connections {connections:F0}  requests/s {F(seconds > 0 ? requests / seconds : 0, 0)}  over {seconds:F1} s");
        return new Rows(header, topics, partitions, lag);
    }

    private static string F(double value, int decimals = 2) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
