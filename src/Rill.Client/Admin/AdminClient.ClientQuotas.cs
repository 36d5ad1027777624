using Rill.Client.Network;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Client;

/// <summary>One part of a client quota entity: type user, client-id or ip, and a name (null: the default entity).</summary>
public sealed record QuotaEntityPart(string Type, string? Name);

/// <summary>An entity and its quota values (producer_byte_rate, consumer_byte_rate, request_percentage, connection_creation_rate, ...).</summary>
public sealed record ClientQuotaEntry(IReadOnlyList<QuotaEntityPart> Entity, IReadOnlyDictionary<string, double> Values);

/// <summary>KIP-546 match types: a given name, the default entity, or any named (non-default) entity.</summary>
public enum ClientQuotaMatch : sbyte
{
    /// <summary>The entity named exactly as given.</summary>
    Exact = 0,
    /// <summary>The default entity (&lt;default&gt;).</summary>
    Default = 1,
    /// <summary>Any entity with a name (not the default).</summary>
    Specified = 2,
}

/// <summary>One component of a DescribeClientQuotas filter.</summary>
public sealed record ClientQuotaFilterComponent(string EntityType, ClientQuotaMatch Match, string? Name = null);

/// <summary>Set <see cref="Key"/> to <see cref="Value"/>, or remove it when Value is null.</summary>
public sealed record ClientQuotaOp(string Key, double? Value);

/// <summary>DescribeClientQuotas and AlterClientQuotas (KIP-546).</summary>
public sealed partial class AdminClient
{
    /// <summary>The entities matching every component (strict: and no other entity types), with their quotas.</summary>
    public async Task<IReadOnlyList<ClientQuotaEntry>> DescribeClientQuotasAsync(IEnumerable<ClientQuotaFilterComponent> filter, bool strict = false,
        CancellationToken cancellationToken = default)
    {
        BrokerConnection connection = await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.Versions.Pick(ApiKey.DescribeClientQuotas);
        var request = new DescribeClientQuotasRequest { Strict = strict };
        foreach (var c in filter)
        {
            request.Components.Add(new DescribeClientQuotasRequest.DescribeClientQuotasComponent { EntityType = c.EntityType, MatchType = (sbyte)c.Match, Match = c.Name });
        }
        var response = await connection.SendAsync<DescribeClientQuotasResponse>(ApiKey.DescribeClientQuotas, version, request, cancellationToken).ConfigureAwait(false);
        KafkaException.ThrowIfError(response.ErrorCode, "Describe client quotas", response.ErrorMessage);
        return (response.Entries ?? []).Select(e => new ClientQuotaEntry(
            e.Entity.Select(p => new QuotaEntityPart(p.EntityType, p.EntityName)).ToList(),
            e.Values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal))).ToList();
    }

    /// <summary>Sets or removes quotas of one entity. Throws <see cref="KafkaException"/> with the broker's error.</summary>
    public async Task AlterClientQuotasAsync(IReadOnlyList<QuotaEntityPart> entity, IEnumerable<ClientQuotaOp> ops, bool validateOnly = false,
        CancellationToken cancellationToken = default)
    {
        BrokerConnection connection = await _cluster.GetAnyConnectionAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.Versions.Pick(ApiKey.AlterClientQuotas);
        var entry = new AlterClientQuotasRequest.AlterClientQuotasEntry();
        foreach (var part in entity)
        {
            entry.Entity.Add(new AlterClientQuotasRequest.AlterClientQuotasEntity { EntityType = part.Type, EntityName = part.Name });
        }
        foreach (var op in ops)
        {
            entry.Ops.Add(new AlterClientQuotasRequest.AlterClientQuotasOp { Key = op.Key, Value = op.Value ?? 0, Remove = op.Value is null });
        }
        var request = new AlterClientQuotasRequest { ValidateOnly = validateOnly };
        request.Entries.Add(entry);
        var response = await connection.SendAsync<AlterClientQuotasResponse>(ApiKey.AlterClientQuotas, version, request, cancellationToken).ConfigureAwait(false);
        foreach (var r in response.Entries)
        {
            KafkaException.ThrowIfError(r.ErrorCode, "Alter client quotas of " + string.Join(", ", entity.Select(p => $"{p.Type}={p.Name ?? "<default>"}")), r.ErrorMessage);
        }
    }
}
