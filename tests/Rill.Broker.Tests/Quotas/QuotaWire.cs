using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Broker.Tests.Quotas;

/// <summary>AlterClientQuotas / DescribeClientQuotas over the wire, for the quota tests.</summary>
internal static class QuotaWire
{
    public static async Task<AlterClientQuotasResponse> AlterAsync(WireClient client, string key, double value, bool remove = false,
        bool validateOnly = false, params (string Type, string? Name)[] entity)
    {
        var request = new AlterClientQuotasRequest { ValidateOnly = validateOnly };
        var entry = new AlterClientQuotasRequest.AlterClientQuotasEntry();
        foreach (var (type, name) in entity)
        {
            entry.Entity.Add(new AlterClientQuotasRequest.AlterClientQuotasEntity { EntityType = type, EntityName = name });
        }
        entry.Ops.Add(new AlterClientQuotasRequest.AlterClientQuotasOp { Key = key, Value = value, Remove = remove });
        request.Entries.Add(entry);
        return await client.RequestAsync<AlterClientQuotasResponse>(ApiKey.AlterClientQuotas, 1, request);
    }

    public static async Task SetAsync(WireClient client, string key, double value, params (string Type, string? Name)[] entity)
    {
        var response = await AlterAsync(client, key, value, entity: entity);
        Assert.Equal(0, response.Entries[0].ErrorCode);
    }

    public static Task<DescribeClientQuotasResponse> DescribeAsync(WireClient client, bool strict, params (string Type, sbyte Match, string? Name)[] components)
    {
        var request = new DescribeClientQuotasRequest { Strict = strict };
        foreach (var (type, match, name) in components)
        {
            request.Components.Add(new DescribeClientQuotasRequest.DescribeClientQuotasComponent { EntityType = type, MatchType = match, Match = name });
        }
        return client.RequestAsync<DescribeClientQuotasResponse>(ApiKey.DescribeClientQuotas, 1, request);
    }
}
