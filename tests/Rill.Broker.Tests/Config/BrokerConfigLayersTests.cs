using Rill.Broker.Config;
using Rill.Protocol;

namespace Rill.Broker.Tests.Config;

public class BrokerConfigLayersTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rill-layers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static BrokerConfig Static(params (string, string)[] values) =>
        BrokerConfig.FromProperties(values.Select(v => new KeyValuePair<string, string>(v.Item1, v.Item2)));

    private static (Dictionary<string, string>?, ConfigChangeResult) With(IReadOnlyDictionary<string, string> current, string name, string value)
        => (new Dictionary<string, string>(current) { [name] = value }, ConfigChangeResult.Ok);

    [Fact]
    public void Per_broker_wins_over_cluster_default_which_wins_over_static_and_both_persist()
    {
        var layers = new BrokerConfigLayers(Static(("message.max.bytes", "1000")));
        layers.Load(_dir, _ => Assert.Fail("nothing to warn about"));
        Assert.Equal("1000", layers.Current.GetString("message.max.bytes"));

        Assert.Equal(ErrorCode.None, layers.TryUpdate(false, c => With(c, "message.max.bytes", "2000"), false, out bool applied).Error);
        Assert.True(applied);
        Assert.Equal("2000", layers.Current.GetString("message.max.bytes"));
        Assert.Equal(ErrorCode.None, layers.TryUpdate(true, c => With(c, "message.max.bytes", "3000"), false, out _).Error);
        Assert.Equal("3000", layers.Current.GetString("message.max.bytes"));
        Assert.Equal("1000", layers.Static.GetString("message.max.bytes"));

        var reloaded = new BrokerConfigLayers(Static(("message.max.bytes", "1000")));
        reloaded.Load(_dir, _ => Assert.Fail("nothing to warn about"));
        Assert.Equal("3000", reloaded.Current.GetString("message.max.bytes"));
        Assert.Equal("2000", reloaded.ClusterDefaults["message.max.bytes"]);
    }

    [Fact]
    public void Validate_only_and_refused_changes_leave_everything_as_it_was()
    {
        var layers = new BrokerConfigLayers(Static());
        layers.Load(_dir, _ => { });
        Assert.Equal(ErrorCode.None, layers.TryUpdate(false, c => With(c, "log.segment.bytes", "2097152"), true, out bool applied).Error);
        Assert.False(applied);
        Assert.Equal(ErrorCode.InvalidConfig, layers.TryUpdate(false, c => With(c, "log.segment.bytes", "10"), false, out _).Error);
        Assert.Equal(ErrorCode.InvalidRequest, layers.TryUpdate(false, c => With(c, "node.id", "3"), false, out _).Error);
        // log.flush.interval.ms has no range of its own, but flush.ms, which defaults from it, must be >= 0.
        ConfigChangeResult negative = layers.TryUpdate(true, c => With(c, "log.flush.interval.ms", "-5"), false, out _);
        Assert.Equal(ErrorCode.InvalidConfig, negative.Error);
        Assert.Contains("flush.ms", negative.Message);
        ConfigChangeResult unknown = layers.TryUpdate(false, c => With(c, "log.segment.byte", "2097152"), false, out _);
        Assert.Equal(ErrorCode.InvalidConfig, unknown.Error);
        Assert.Contains("log.segment.bytes", unknown.Message);
        Assert.Empty(layers.ClusterDefaults);
        Assert.False(File.Exists(Path.Combine(_dir, BrokerConfigLayers.FileName)));
        Assert.Same(layers.Static, layers.Current);
    }

    [Fact]
    public void A_stored_value_that_is_no_longer_valid_is_dropped_with_a_warning()
    {
        File.WriteAllText(Path.Combine(_dir, BrokerConfigLayers.FileName), """
            { "version": 1, "clusterDefaults": { "num.partitions": "4", "message.max.bytes": "5000" },
              "brokers": { "1": { "log.segment.bytes": "5" }, "2": { "message.max.bytes": "9" } } }
            """);
        var warnings = new List<string>();
        var layers = new BrokerConfigLayers(Static());
        layers.Load(_dir, warnings.Add);
        Assert.Equal("5000", layers.Current.GetString("message.max.bytes"));
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("num.partitions"));
        Assert.Contains(warnings, w => w.Contains("log.segment.bytes"));
        Assert.Empty(layers.PerBroker);
    }
}
