using System.Globalization;
using System.Net;
using System.Text;

namespace Rill.Tracking.Simulator.LoadTest;

/// <summary>A small line chart as standalone SVG: several series, axes with ticks, a legend, an optional marker line.</summary>
sealed class SvgChart(string title, string xLabel, string yLabel)
{
    static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];
    readonly List<(string Name, IReadOnlyList<(double X, double Y)> Points)> _series = [];
    readonly List<(double Y, string Label)> _marks = [];

    public bool LogY { get; init; }

    public SvgChart Series(string name, IEnumerable<(double X, double Y)> points)
    {
        _series.Add((name, [.. points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0))]));
        return this;
    }

    public SvgChart Mark(double y, string label)
    {
        _marks.Add((y, label));
        return this;
    }

    public string Render(int width = 760, int height = 340)
    {
        int rows = Math.Max(1, (_series.Count + 2) / 3);
        int left = 70, right = 20, top = 36, bottom = 56 + rows * 16;
        var all = _series.SelectMany(s => s.Points).ToList();
        double xMin = all.Count == 0 ? 0 : all.Min(p => p.X), xMax = all.Count == 0 ? 1 : all.Max(p => p.X);
        var ys = all.Select(p => p.Y).Concat(_marks.Select(m => m.Y)).ToList();
        double yMin = LogY ? (ys.Count == 0 ? 1 : Math.Pow(10, Math.Floor(Math.Log10(ys.Min())))) : 0;
        double yMax = ys.Count == 0 ? 1 : ys.Max();
        yMax = LogY ? Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(yMax, yMin * 10)))) : Nice(yMax * 1.05);
        if (xMax <= xMin) xMax = xMin + 1;
        double pw = width - left - right, ph = height - top - bottom;
        double X(double x) => left + (x - xMin) / (xMax - xMin) * pw;
        double Y(double y) => LogY
            ? top + ph - (Math.Log10(y) - Math.Log10(yMin)) / (Math.Log10(yMax) - Math.Log10(yMin)) * ph
            : top + ph - (y - yMin) / (yMax - yMin) * ph;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{E(title)}</text>\n");
        // Y ticks.
        var yTicks = LogY
            ? Enumerable.Range(0, (int)Math.Round(Math.Log10(yMax / yMin)) + 1).Select(i => yMin * Math.Pow(10, i))
            : Enumerable.Range(0, 6).Select(i => yMin + (yMax - yMin) * i / 5);
        foreach (double t in yTicks)
        {
            double y = Y(t);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{width - right}\" y2=\"{y:F1}\" stroke=\"#e5e5e5\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{Fmt(t)}</text>\n");
        }
        for (int i = 0; i <= 5; i++)
        {
            double t = xMin + (xMax - xMin) * i / 5, x = X(t);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:F1}\" y1=\"{top + ph}\" x2=\"{x:F1}\" y2=\"{top + ph + 4}\" stroke=\"black\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{top + ph + 18}\" text-anchor=\"middle\">{Fmt(t)}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top + ph}\" x2=\"{width - right}\" y2=\"{top + ph}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + ph}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + pw / 2}\" y=\"{top + ph + 36}\" text-anchor=\"middle\">{E(xLabel)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(16,{top + ph / 2}) rotate(-90)\" text-anchor=\"middle\">{E(yLabel)}</text>\n");
        foreach (var (yv, label) in _marks)
        {
            double y = Y(yv);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{width - right}\" y2=\"{y:F1}\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - right - 4}\" y=\"{y - 4:F1}\" text-anchor=\"end\" fill=\"#555\">{E(label)}</text>\n");
        }
        for (int i = 0; i < _series.Count; i++)
        {
            var (name, points) = _series[i];
            string color = Colors[i % Colors.Length];
            if (points.Count > 0)
            {
                var path = string.Join(" ", points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.X):F1},{Y(p.Y):F1}")));
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>\n");
                if (points.Count <= 20)
                    foreach (var p in points)
                        svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.X):F1}\" cy=\"{Y(p.Y):F1}\" r=\"3\" fill=\"{color}\"/>\n");
            }
            double lx = left + 10 + i % 3 * (pw / 3), ly = top + ph + 58 + (i / 3) * 16;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx:F1}\" y=\"{ly - 9:F1}\" width=\"12\" height=\"4\" fill=\"{color}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 16:F1}\" y=\"{ly - 4:F1}\">{E(name)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    static double Nice(double v)
    {
        if (v <= 0) return 1;
        double p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double m in new[] { 1, 2, 2.5, 5, 10 }) if (m * p >= v) return m * p;
        return 10 * p;
    }

    static string Fmt(double v) => Math.Abs(v) >= 10_000
        ? (v / 1000).ToString("0.#", CultureInfo.InvariantCulture) + "k"
        : v.ToString(Math.Abs(v) >= 10 || v == 0 ? "0" : "0.##", CultureInfo.InvariantCulture);

    static string E(string s) => WebUtility.HtmlEncode(s);
}
