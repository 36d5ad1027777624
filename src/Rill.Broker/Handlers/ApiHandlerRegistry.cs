using Rill.Protocol;

namespace Rill.Broker.Handlers;

/// <summary>The registered handlers by API key: the single source of what the broker serves.</summary>
internal sealed class ApiHandlerRegistry
{
    private readonly IApiHandler?[] _byKey = new IApiHandler?[128];
    private readonly List<IApiHandler> _all = [];

    public void Register(IApiHandler handler)
    {
        int key = (int)handler.Key;
        if (key < 0 || key >= _byKey.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(handler), $"API key {key} is out of range.");
        }
        if (_byKey[key] is not null)
        {
            throw new InvalidOperationException($"API {handler.Key} is registered twice.");
        }
        if (handler.MinVersion < 0 || handler.MaxVersion < handler.MinVersion)
        {
            throw new InvalidOperationException($"API {handler.Key} has an invalid version range {handler.MinVersion}-{handler.MaxVersion}.");
        }
        _byKey[key] = handler;
        _all.Add(handler);
        _all.Sort(static (a, b) => ((short)a.Key).CompareTo((short)b.Key));
    }

    public IApiHandler? Find(short apiKey)
        => apiKey >= 0 && apiKey < _byKey.Length ? _byKey[apiKey] : null;

    /// <summary>All handlers ordered by API key.</summary>
    public IReadOnlyList<IApiHandler> All => _all;
}
