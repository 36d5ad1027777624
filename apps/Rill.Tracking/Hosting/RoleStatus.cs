using System.Collections.Concurrent;

namespace Rill.Tracking.Hosting;

/// <summary>Which of the configured roles are running; /health is 200 once all are.</summary>
public sealed class RoleStatus(TrackingOptions options)
{
    private readonly ConcurrentDictionary<Roles, bool> _running = new();

    public void MarkRunning(Roles role) => _running[role] = true;

    public bool AllRunning => RolesText.Each(options.Roles).All(r => _running.ContainsKey(r));

    public IReadOnlyDictionary<string, bool> Snapshot() =>
        RolesText.Each(options.Roles).ToDictionary(RolesText.NameOf, r => _running.ContainsKey(r));
}
