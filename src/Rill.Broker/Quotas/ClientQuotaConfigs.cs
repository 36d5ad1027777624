using System.Net;
using Rill.Protocol;

namespace Rill.Broker.Quotas;

/// <summary>One alteration of AlterClientQuotas: set <see cref="Value"/> for <see cref="Key"/>, or remove the key.</summary>
internal readonly record struct QuotaOp(string Key, double Value, bool Remove);

/// <summary>One component of a DescribeClientQuotas filter (KIP-546 match types).</summary>
internal readonly record struct QuotaFilterComponent(string EntityType, sbyte MatchType, string? Match)
{
    public const sbyte MatchExact = 0, MatchDefault = 1, MatchSpecified = 2;
}

/// <summary>Thrown for a request Kafka refuses with an error code and message (INVALID_REQUEST, UNSUPPORTED_VERSION).</summary>
internal sealed class QuotaRequestException(ErrorCode error, string message) : Exception(message)
{
    public ErrorCode Error { get; } = error;
}

/// <summary>
/// The client quota configs: an immutable snapshot (read without locks on every request) replaced
/// on each AlterClientQuotas, after Kafka's validation, and persisted through <see cref="IClientQuotaStore"/>.
/// </summary>
internal sealed class ClientQuotaConfigs
{
    private readonly IClientQuotaStore _store;
    private readonly Lock _writeLock = new();
    private volatile State _state;

    public ClientQuotaConfigs(IClientQuotaStore store)
    {
        _store = store;
        _state = new State(store.Load());
    }

    /// <summary>Re-reads the store (a change made through another broker of the cluster) and raises <see cref="Changed"/>.</summary>
    public void Reload()
    {
        lock (_writeLock)
        {
            _state = new State(_store.Load());
        }
        Changed?.Invoke();
    }

    /// <summary>Raised after a change is applied (the connection quotas re-read ip quotas).</summary>
    public event Action? Changed;

    public IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> Current => _state.Quotas;

    /// <summary>True when some entity has <paramref name="key"/> (the quota managers skip all work otherwise).</summary>
    public bool HasKey(string key) => _state.Keys.Contains(key);

    /// <summary>The value of <paramref name="key"/> configured on exactly <paramref name="entity"/>, if any.</summary>
    public bool TryGet(QuotaEntity entity, string key, out double value)
    {
        value = 0;
        return _state.Quotas.TryGetValue(entity, out var values) && values.TryGetValue(key, out value);
    }

    /// <summary>
    /// Checks <paramref name="entity"/> and <paramref name="ops"/> as Kafka's controller does and, unless
    /// <paramref name="validateOnly"/>, applies and persists them. Returns NONE or the error with its message.
    /// </summary>
    public (ErrorCode Error, string? Message) Alter(IReadOnlyList<(string Type, string? Name)> entityParts, IReadOnlyList<QuotaOp> ops, bool validateOnly)
    {
        if (ValidateEntity(entityParts, out QuotaEntity entity) is { } entityError)
        {
            return (ErrorCode.InvalidRequest, entityError);
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlySet<string> allowed = entity.Ip is not null ? QuotaKeys.IpKeys : QuotaKeys.ClientKeys;
        foreach (QuotaOp op in ops)
        {
            if (!seen.Add(op.Key))
            {
                return (ErrorCode.InvalidRequest, $"Duplicate quota key {op.Key} not updating quota for {entity}");
            }
            if (!allowed.Contains(op.Key))
            {
                return (ErrorCode.InvalidRequest, $"Invalid configuration key {op.Key}");
            }
            if (op.Remove)
            {
                continue;
            }
            if (double.IsNaN(op.Value) || double.IsInfinity(op.Value) || op.Value <= 0)
            {
                return (ErrorCode.InvalidRequest, $"Invalid value {op.Value} for configuration key {op.Key}: must be a positive number");
            }
            if (QuotaKeys.IsWholeNumber(op.Key) && Math.Abs(op.Value - Math.Round(op.Value)) > 1e-6)
            {
                return (ErrorCode.InvalidRequest, $"Configuration {op.Key} must be a whole number (got {op.Value})");
            }
            if (op.Key == QuotaKeys.ConnectionCreationRate && op.Value > int.MaxValue)
            {
                return (ErrorCode.InvalidRequest, $"Configuration {op.Key} must be an INT value");
            }
        }
        if (validateOnly)
        {
            return (ErrorCode.None, null);
        }
        lock (_writeLock)
        {
            var next = new Dictionary<QuotaEntity, IReadOnlyDictionary<string, double>>(_state.Quotas);
            var values = next.TryGetValue(entity, out var old) ? new Dictionary<string, double>(old, StringComparer.Ordinal) : new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (QuotaOp op in ops)
            {
                if (op.Remove)
                {
                    values.Remove(op.Key);
                }
                else
                {
                    values[op.Key] = QuotaKeys.IsWholeNumber(op.Key) ? Math.Round(op.Value) : op.Value;
                }
            }
            if (values.Count == 0)
            {
                next.Remove(entity);
            }
            else
            {
                next[entity] = values;
            }
            _store.Save(next);
            _state = new State(next);
        }
        Changed?.Invoke();
        return (ErrorCode.None, null);
    }

    private static string? ValidateEntity(IReadOnlyList<(string Type, string? Name)> parts, out QuotaEntity entity)
    {
        entity = default;
        if (parts.Count == 0)
        {
            return "Invalid empty client quota entity";
        }
        EntityName? user = null, client = null, ip = null;
        foreach (var (type, name) in parts)
        {
            switch (type)
            {
                case QuotaEntity.UserType when user is null:
                    user = new EntityName(name);
                    break;
                case QuotaEntity.ClientIdType when client is null:
                    client = new EntityName(name);
                    break;
                case QuotaEntity.IpType when ip is null:
                    if (name is not null && !IPAddress.TryParse(name, out _))
                    {
                        return $"{name} is not a valid IP address";
                    }
                    ip = new EntityName(name);
                    break;
                case QuotaEntity.UserType or QuotaEntity.ClientIdType or QuotaEntity.IpType:
                    return $"Duplicate {type} entity in the quota entity";
                default:
                    return $"Unhandled client quota entity type: {type}";
            }
        }
        if (ip is not null && (user is not null || client is not null))
        {
            return "Invalid quota entity combination, IP entity should not be combined with User or ClientId";
        }
        entity = new QuotaEntity(user, client, ip);
        return null;
    }

    /// <summary>Entities matching the filter (Kafka's ClientQuotasImage.describe). Throws <see cref="QuotaRequestException"/>.</summary>
    public IReadOnlyList<KeyValuePair<QuotaEntity, IReadOnlyDictionary<string, double>>> Describe(IReadOnlyList<QuotaFilterComponent> components, bool strict)
    {
        var exact = new Dictionary<string, string?>(StringComparer.Ordinal);
        var specified = new HashSet<string>(StringComparer.Ordinal);
        foreach (QuotaFilterComponent c in components)
        {
            if (c.EntityType.Length == 0)
            {
                throw new QuotaRequestException(ErrorCode.InvalidRequest, "Invalid empty entity type.");
            }
            if (exact.ContainsKey(c.EntityType) || specified.Contains(c.EntityType))
            {
                throw new QuotaRequestException(ErrorCode.InvalidRequest, $"Entity type {c.EntityType} cannot appear more than once in the filter.");
            }
            if (c.EntityType is not (QuotaEntity.UserType or QuotaEntity.ClientIdType or QuotaEntity.IpType))
            {
                throw new QuotaRequestException(ErrorCode.UnsupportedVersion, $"Unsupported entity type {c.EntityType}");
            }
            switch (c.MatchType)
            {
                case QuotaFilterComponent.MatchExact:
                    exact[c.EntityType] = c.Match ?? throw new QuotaRequestException(ErrorCode.InvalidRequest,
                        "Request specified MATCH_TYPE_EXACT, but set match string to null.");
                    break;
                case QuotaFilterComponent.MatchDefault:
                    if (c.Match is not null)
                    {
                        throw new QuotaRequestException(ErrorCode.InvalidRequest, "Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
                    }
                    exact[c.EntityType] = null;
                    break;
                case QuotaFilterComponent.MatchSpecified:
                    if (c.Match is not null)
                    {
                        throw new QuotaRequestException(ErrorCode.InvalidRequest, "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.");
                    }
                    specified.Add(c.EntityType);
                    break;
                default:
                    throw new QuotaRequestException(ErrorCode.InvalidRequest, $"Unknown match type {c.MatchType}");
            }
        }
        bool hasIp = exact.ContainsKey(QuotaEntity.IpType) || specified.Contains(QuotaEntity.IpType);
        bool hasClient = exact.ContainsKey(QuotaEntity.UserType) || specified.Contains(QuotaEntity.UserType)
            || exact.ContainsKey(QuotaEntity.ClientIdType) || specified.Contains(QuotaEntity.ClientIdType);
        if (hasIp && hasClient)
        {
            throw new QuotaRequestException(ErrorCode.InvalidRequest,
                "Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.");
        }
        return _state.Quotas.Where(e => Matches(e.Key, exact, specified, strict)).OrderBy(e => e.Key.ToString(), StringComparer.Ordinal).ToList();
    }

    private static bool Matches(QuotaEntity entity, Dictionary<string, string?> exact, HashSet<string> specified, bool strict)
    {
        if (strict && entity.PartCount != exact.Count + specified.Count)
        {
            return false;
        }
        foreach (var (type, name) in exact)
        {
            if (!entity.TryGetPart(type, out EntityName part) || part.Name != name)
            {
                return false;
            }
        }
        foreach (string type in specified)
        {
            if (!entity.TryGetPart(type, out EntityName part) || part.IsDefault)
            {
                return false;
            }
        }
        return true;
    }

    private sealed class State(IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> quotas)
    {
        public IReadOnlyDictionary<QuotaEntity, IReadOnlyDictionary<string, double>> Quotas { get; } = quotas;
        public HashSet<string> Keys { get; } = quotas.Values.SelectMany(v => v.Keys).ToHashSet(StringComparer.Ordinal);
    }
}
