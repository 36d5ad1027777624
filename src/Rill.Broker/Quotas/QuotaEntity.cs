namespace Rill.Broker.Quotas;

/// <summary>One part of a quota entity: a name, or the default entity (<c>&lt;default&gt;</c>) when <see cref="Name"/> is null.</summary>
internal readonly record struct EntityName(string? Name)
{
    public static EntityName Default => new(null);
    public bool IsDefault => Name is null;
    public override string ToString() => Name ?? "<default>";
}

/// <summary>
/// A client quota entity (KIP-546): a user, a client id, a (user, client id) pair, or an IP, each
/// part a name or the default. Absent parts are null. Equality is structural, so lookups allocate nothing.
/// </summary>
internal readonly record struct QuotaEntity(EntityName? User, EntityName? ClientId, EntityName? Ip)
{
    public const string UserType = "user", ClientIdType = "client-id", IpType = "ip";

    public static QuotaEntity ForUser(string? user) => new(new EntityName(user), null, null);
    public static QuotaEntity ForClient(string? clientId) => new(null, new EntityName(clientId), null);
    public static QuotaEntity ForUserClient(string? user, string? clientId) => new(new EntityName(user), new EntityName(clientId), null);
    public static QuotaEntity ForIp(string? ip) => new(null, null, new EntityName(ip));

    public bool IsEmpty => User is null && ClientId is null && Ip is null;

    /// <summary>The parts as (entity type, name) pairs, in Kafka's order user, client-id, ip.</summary>
    public IEnumerable<(string Type, string? Name)> Parts()
    {
        if (User is { } u)
        {
            yield return (UserType, u.Name);
        }
        if (ClientId is { } c)
        {
            yield return (ClientIdType, c.Name);
        }
        if (Ip is { } i)
        {
            yield return (IpType, i.Name);
        }
    }

    /// <summary>The name of the part of <paramref name="type"/>; false when the entity has no such part.</summary>
    public bool TryGetPart(string type, out EntityName name)
    {
        EntityName? part = type switch
        {
            UserType => User,
            ClientIdType => ClientId,
            IpType => Ip,
            _ => null,
        };
        name = part.GetValueOrDefault();
        return part.HasValue;
    }

    public int PartCount => (User is null ? 0 : 1) + (ClientId is null ? 0 : 1) + (Ip is null ? 0 : 1);

    public override string ToString() => string.Join(", ", Parts().Select(p => p.Type + "=" + (p.Name ?? "<default>")));
}
