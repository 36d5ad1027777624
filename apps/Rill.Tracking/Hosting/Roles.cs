namespace Rill.Tracking.Hosting;

/// <summary>The parts one process can run; each consumer role is its own consumer group.</summary>
[Flags]
public enum Roles
{
    None = 0,
    Ingest = 1,
    Customer = 2,
    Restaurant = 4,
    Support = 8,
    Notifications = 16,
    History = 32,
    All = Ingest | Customer | Restaurant | Support | Notifications | History,
}

public static class RolesText
{
    public static readonly IReadOnlyList<(Roles Role, string Name)> Names =
    [
        (Roles.Ingest, "ingest"), (Roles.Customer, "customer"), (Roles.Restaurant, "restaurant"),
        (Roles.Support, "support"), (Roles.Notifications, "notifications"), (Roles.History, "history"),
    ];

    public static Roles Parse(string text)
    {
        Roles roles = Roles.None;
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part == "all")
            {
                roles |= Roles.All;
                continue;
            }
            var match = Names.FirstOrDefault(n => n.Name == part);
            if (match.Role == Roles.None)
            {
                throw new ArgumentException($"Unknown role '{part}' (roles: all, {string.Join(", ", Names.Select(n => n.Name))}).");
            }
            roles |= match.Role;
        }
        if (roles == Roles.None)
        {
            throw new ArgumentException("--roles names no role.");
        }
        return roles;
    }

    public static string NameOf(Roles role) => Names.First(n => n.Role == role).Name;

    public static IEnumerable<Roles> Each(Roles roles) => Names.Select(n => n.Role).Where(r => (roles & r) != 0);
}
