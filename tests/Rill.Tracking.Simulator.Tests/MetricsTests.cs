using System.Xml.Linq;
using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.LoadTest;
using Rill.Tracking.Simulator.Metrics;
using Rill.Tracking.Simulator.Simulation;

namespace Rill.Tracking.Simulator.Tests;

public class MetricsTests
{
    [Fact]
    public void Histogram_percentiles_are_bucket_upper_edges()
    {
        var h = new LatencyHistogram();
        Assert.True(double.IsNaN(h.Percentile(50)));
        for (int i = 1; i <= 1000; i++) h.Record(i);          // 1..1000 ms
        Assert.Equal(1000, h.Count);
        Assert.InRange(h.Percentile(50), 500, 500.2);
        Assert.InRange(h.Percentile(99), 990, 990.2);
        Assert.InRange(h.Percentile(99.9), 999, 999.2);
        Assert.Equal(1000, h.Percentile(100));
        h.Record(20_000);                                      // overflow bucket reports the max
        Assert.Equal(20_000, h.Percentile(100));
        h.Clear();
        Assert.Equal(0, h.Count);
    }

    [Fact]
    public void A_position_counts_as_delivered_when_it_or_a_newer_one_arrives()
    {
        var latencies = new List<double>();
        var w = new OrderWatch("o", "r", "t", "x", latencies.Add);
        w.OnSent(1_000);                       // not armed: ignored
        w.Armed = true;
        w.OnSent(2_000);
        w.OnSent(2_100);
        w.OnSent(2_200);
        w.OnReceived(2_100, 2_150);            // 2000 and 2100 delivered (a poller skipping 2000 still shows it)
        Assert.Equal([150.0, 50.0], latencies);
        Assert.Equal(1, w.Pending);
        w.OnReceived(2_100, 2_160);            // the stream's opening snapshot arriving again live: an overlap
        Assert.Equal(1, w.SnapshotOverlaps);
        Assert.Equal(0, w.Duplicates);
        w.OnReceived(2_200, 2_400);
        Assert.Equal([150.0, 50.0, 200.0], latencies);
        w.OnReceived(2_200, 2_410);            // later, the same position again is a duplicate
        Assert.Equal(1, w.Duplicates);
        Assert.NotNull(w.FirstDuplicate);
        Assert.Equal(3, w.SentWhileArmed);
        Assert.Equal(3, w.Delivered);
        Assert.Equal(0, w.Pending);
    }

    [Fact]
    public async Task Server_sent_events_are_split_into_name_and_data()
    {
        var text = ": comment\n\nevent: position\ndata: {\"ts\":1}\n\ndata: a\ndata: b\n\nevent: near\nid: 7\ndata: {}\n\n";
        var events = new List<(string, string)>();
        await foreach (var e in ServerSentEvents.ReadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), CancellationToken.None))
            events.Add(e);
        Assert.Equal([("position", "{\"ts\":1}"), ("message", "a\nb"), ("near", "{}")], events);
    }

    [Fact]
    public void Command_line_parses_types_and_rejects_typos()
    {
        var cl = new CommandLine(["loadtest", "--app", "http://x", "--rate", "2.5", "--duration", "90s", "--flag", "--stage", "200ms"]);
        Assert.Equal("loadtest", cl.Command);
        Assert.Equal("http://x", cl.Required("app"));
        Assert.Equal(2.5, cl.Double("rate", 1));
        Assert.Equal(TimeSpan.FromSeconds(90), cl.Duration("duration", TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMilliseconds(200), cl.Duration("stage", TimeSpan.Zero));
        Assert.True(cl.Flag("flag"));
        Assert.Equal(7, cl.Int("riders", 7));
        cl.RejectUnknown();

        var typo = new CommandLine(["simulate", "--ridres", "5"]);
        Assert.Throws<ArgumentException>(() => typo.RejectUnknown());
        Assert.Throws<ArgumentException>(() => new CommandLine(["simulate", "--rate", "fast"]).Double("rate", 1));
        Assert.Throws<ArgumentException>(() => new CommandLine(["--app", "x"]));
        Assert.Throws<ArgumentException>(() => new CommandLine(["simulate"]).Required("app"));
    }

    [Fact]
    public void Chart_is_well_formed_svg_with_one_line_per_series()
    {
        string svg = new SvgChart("t <&>", "x", "y") { LogY = true }
            .Series("a", [(0, 1), (1, 10), (2, 100)])
            .Series("b", [(0, 5), (2, double.NaN), (3, 50)])
            .Mark(250, "bound")
            .Render();
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(2, doc.Descendants(ns + "polyline").Count());
        Assert.Contains(doc.Descendants(ns + "text"), t => t.Value == "t <&>");
    }

    [Fact]
    public void App_stats_are_read_from_the_contract_shape()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(
            """{"ingestPerSecond":12.5,"acked":99,"errors":{"bad-json":2},"lag":{"tracking-customer":3,"tracking-history":4},"processed":{"tracking-history":90}}""");
        var s = AppStats.From(doc.RootElement);
        Assert.Equal(12.5, s.IngestPerSecond);
        Assert.Equal(99, s.Acked);
        Assert.Equal(2, s.Errors["bad-json"]);
        Assert.Equal(7, s.TotalLag);
        Assert.Equal(90, s.Processed["tracking-history"]);
    }
}
