namespace Rill.Tracking.Hosting;

/// <summary>The app's command line (see README.md). Everything has a default, so no argument is needed.</summary>
public sealed class TrackingOptions
{
    public string Urls { get; set; } = "http://127.0.0.1:5080";
    public string DataDirectory { get; set; } = Path.Combine(Environment.CurrentDirectory, ".rill-data", "tracking");
    public string? BootstrapServers { get; set; }

    /// <summary>
    /// --kafka-property key=value (repeatable): client properties for an external cluster with librdkafka's
    /// names, e.g. security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, sasl.username, ssl.ca.location.
    /// </summary>
    public Dictionary<string, string> KafkaProperties { get; } = new(StringComparer.Ordinal);
    public int BrokerPort { get; set; }
    public string? PostgresConnectionString { get; set; }
    public bool Demo { get; set; }
    public Roles Roles { get; set; } = Roles.All;
    public string? OperatorKey { get; set; }
    public int CitySeed { get; set; } = 42;
    public int Partitions { get; set; } = 12;
    public string? RegionPartitions { get; set; }

    /// <summary>Frames per second one rider may send (sustained; the burst is twice this).</summary>
    public double RiderRatePerSecond { get; set; } = 20;

    /// <summary>Demo riders to simulate (only with --demo).</summary>
    public int DemoRiders { get; set; } = 6;

    /// <summary>Silence after which a rider on an active order raises a support alert.</summary>
    public TimeSpan SilenceAlert { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>History: records per batch and the longest a record waits for its batch.</summary>
    public int HistoryBatchSize { get; set; } = 2000;
    public TimeSpan HistoryBatchDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public static TrackingOptions Parse(IReadOnlyList<string> args)
    {
        var o = new TrackingOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{arg} needs a value.");
                }
                return args[++i];
            }
            switch (arg)
            {
                case "--urls": o.Urls = Value(); break;
                case "--data": o.DataDirectory = Path.GetFullPath(Value()); break;
                case "--bootstrap-server": o.BootstrapServers = Value(); break;
                case "--kafka-property":
                    string pair = Value();
                    int eq = pair.IndexOf('=');
                    if (eq <= 0)
                    {
                        throw new ArgumentException($"--kafka-property expects key=value, not '{pair}'.");
                    }
                    o.KafkaProperties[pair[..eq]] = pair[(eq + 1)..];
                    break;
                case "--broker-port": o.BrokerPort = ParseInt(arg, Value(), 0, 65535); break;
                case "--postgres": o.PostgresConnectionString = Value(); break;
                case "--demo": o.Demo = true; break;
                case "--roles": o.Roles = RolesText.Parse(Value()); break;
                case "--operator-key": o.OperatorKey = Value(); break;
                case "--city-seed": o.CitySeed = ParseInt(arg, Value(), int.MinValue, int.MaxValue); break;
                case "--partitions": o.Partitions = ParseInt(arg, Value(), 1, 10_000); break;
                case "--region-partitions": o.RegionPartitions = Value(); break;
                case "--rider-rate": o.RiderRatePerSecond = ParseInt(arg, Value(), 1, 1_000_000); break;
                case "--demo-riders": o.DemoRiders = ParseInt(arg, Value(), 0, 1000); break;
                default: throw new ArgumentException($"Unknown argument '{arg}'. See apps/Rill.Tracking/README.md.");
            }
        }
        return o;
    }

    private static int ParseInt(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < min || n > max)
        {
            throw new ArgumentException($"{name} must be an integer in [{min}, {max}], not '{value}'.");
        }
        return n;
    }
}
