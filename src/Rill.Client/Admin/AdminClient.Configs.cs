using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>DescribeConfigs and IncrementalAlterConfigs for topics and brokers.</summary>
public sealed partial class AdminClient
{
    private static readonly string[] SourceNames = ["UNKNOWN", "DYNAMIC_TOPIC_CONFIG", "DYNAMIC_BROKER_CONFIG", "DYNAMIC_DEFAULT_BROKER_CONFIG", "STATIC_BROKER_CONFIG", "DEFAULT_CONFIG", "DYNAMIC_BROKER_LOGGER_CONFIG", "CLIENT_METRICS_CONFIG", "GROUP_CONFIG"];

    private async Task<BrokerConnection> ConfigTargetAsync(ConfigResourceType type, string name, CancellationToken cancellationToken)
    {
        if (type == ConfigResourceType.Broker && int.TryParse(name, out int node))
        {
            await _cluster.RefreshAsync([], cancellationToken).ConfigureAwait(false);
            return await _cluster.GetConnectionAsync(node, cancellationToken).ConfigureAwait(false);
        }
        return await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every config of a topic or broker ("" for the cluster-wide broker defaults), with its source.</summary>
    public async Task<IReadOnlyList<ConfigEntry>> DescribeConfigsAsync(ConfigResourceType type, string name, CancellationToken cancellationToken = default)
    {
        BrokerConnection connection = await ConfigTargetAsync(type, name, cancellationToken).ConfigureAwait(false);
        short version = connection.Versions.Pick(ApiKey.DescribeConfigs);
        var request = new DescribeConfigsRequest();
        request.Resources.Add(new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = (sbyte)type, ResourceName = name, ConfigurationKeys = null });
        var response = await connection.SendAsync<DescribeConfigsResponse>(ApiKey.DescribeConfigs, version, request, cancellationToken).ConfigureAwait(false);
        var result = new List<ConfigEntry>();
        foreach (var r in response.Results)
        {
            KafkaException.ThrowIfError(r.ErrorCode, $"Describe configs of {type} {name}", r.ErrorMessage);
            foreach (var c in r.Configs)
            {
                string source = c.ConfigSource >= 0 && c.ConfigSource < SourceNames.Length ? SourceNames[c.ConfigSource] : "UNKNOWN";
                bool isDefault = version == 0 ? c.IsDefault : c.ConfigSource == 5;
                result.Add(new ConfigEntry(c.Name, c.Value, isDefault, c.ReadOnly, c.IsSensitive, source));
            }
        }
        return result.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Sets or deletes (back to default) configs of one topic or broker.</summary>
    public async Task IncrementalAlterConfigsAsync(ConfigResourceType type, string name, IEnumerable<(string Name, AlterConfigOp Op, string? Value)> changes,
        bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        BrokerConnection connection = await ConfigTargetAsync(type, name, cancellationToken).ConfigureAwait(false);
        short version = connection.Versions.Pick(ApiKey.IncrementalAlterConfigs);
        var resource = new IncrementalAlterConfigsRequest.AlterConfigsResource { ResourceType = (sbyte)type, ResourceName = name };
        foreach (var (key, op, value) in changes)
        {
            resource.Configs.Add(new IncrementalAlterConfigsRequest.AlterableConfig { Name = key, ConfigOperation = (sbyte)op, Value = value });
        }
        var request = new IncrementalAlterConfigsRequest { ValidateOnly = validateOnly };
        request.Resources.Add(resource);
        var response = await connection.SendAsync<IncrementalAlterConfigsResponse>(ApiKey.IncrementalAlterConfigs, version, request, cancellationToken).ConfigureAwait(false);
        foreach (var r in response.Responses)
        {
            KafkaException.ThrowIfError(r.ErrorCode, $"Alter configs of {type} {name}", r.ErrorMessage);
        }
    }
}
