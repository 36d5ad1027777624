namespace Rill.Tracking.City;

/// <summary>
/// Builds a city from a seed: a jittered street grid with some blocks' streets missing, diagonal arterials through the
/// centre and a few diagonal shortcuts, always connected. The same seed and options give the same city.
/// </summary>
static class CityGenerator
{
    static readonly string[] NameFirst =
    [
        "Golden", "Little", "Happy", "Blue", "Red", "Green", "Royal", "Old", "Lucky", "Spicy", "Sunny", "Silver",
        "Corner", "Urban", "Rustic", "Crispy",
    ];
    static readonly string[] NameSecond =
    [
        "Dragon", "Pizza", "Burger", "Noodle", "Taco", "Curry", "Sushi", "Kebab", "Bistro", "Diner", "Bakery", "Grill",
        "Dumpling", "Falafel", "Pho", "Salad Bar",
    ];
    static readonly string[] StreetNames =
    [
        "Elm", "Oak", "Maple", "Linden", "Birch", "Chestnut", "Willow", "Cedar", "Ash", "Poplar", "Alder", "Hazel",
        "Rowan", "Beech", "Cherry", "Walnut",
    ];

    public static City Generate(int seed, CityOptions options)
    {
        var rng = new Random(seed);
        int n = Math.Max(2, (int)Math.Round(options.SizeMeters / options.BlockMeters) + 1);
        double half = options.SizeMeters / 2;
        double jitter = options.BlockMeters * 0.12;

        var nodes = new List<GeoPoint>(n * n);
        for (int row = 0; row < n; row++)
            for (int col = 0; col < n; col++)
            {
                double east = -half + col * options.BlockMeters + (rng.NextDouble() * 2 - 1) * jitter;
                double north = -half + row * options.BlockMeters + (rng.NextDouble() * 2 - 1) * jitter;
                nodes.Add(Geo.Offset(options.Centre, east, north));
            }
        int Id(int row, int col) => row * n + col;

        var graph = new RoadGraph(nodes);
        var union = new UnionFind(nodes.Count);
        var dropped = new List<(int, int)>();
        void Add(int a, int b) { graph.AddEdge(a, b); union.Union(a, b); }

        // Grid streets; every fifth row/column is an arterial that is never interrupted.
        for (int row = 0; row < n; row++)
            for (int col = 0; col < n; col++)
            {
                if (col + 1 < n)
                {
                    if (row % 5 == 0 || rng.NextDouble() > 0.12) Add(Id(row, col), Id(row, col + 1));
                    else dropped.Add((Id(row, col), Id(row, col + 1)));
                }
                if (row + 1 < n)
                {
                    if (col % 5 == 0 || rng.NextDouble() > 0.12) Add(Id(row, col), Id(row + 1, col));
                    else dropped.Add((Id(row, col), Id(row + 1, col)));
                }
            }
        // Two diagonal arterials corner to corner through the centre.
        for (int i = 0; i + 1 < n; i++)
        {
            Add(Id(i, i), Id(i + 1, i + 1));
            Add(Id(i, n - 1 - i), Id(i + 1, n - 2 - i));
        }
        // Diagonal shortcuts across random blocks.
        int shortcuts = n * n / 25;
        for (int k = 0; k < shortcuts; k++)
        {
            int row = rng.Next(n - 1), col = rng.Next(n - 1);
            if (rng.Next(2) == 0) Add(Id(row, col), Id(row + 1, col + 1));
            else Add(Id(row, col + 1), Id(row + 1, col));
        }
        // Give back dropped streets that are needed to keep the city connected.
        foreach (var (a, b) in dropped)
            if (union.Find(a) != union.Find(b)) Add(a, b);

        var restaurants = new List<Restaurant>(options.Restaurants);
        var usedNames = new HashSet<string>();
        for (int i = 0; i < options.Restaurants; i++)
        {
            // Restaurants cluster towards the centre (average of two uniform draws).
            int row = (rng.Next(n) + rng.Next(n)) / 2, col = (rng.Next(n) + rng.Next(n)) / 2;
            string name = NameFirst[rng.Next(NameFirst.Length)] + " " + NameSecond[rng.Next(NameSecond.Length)];
            if (!usedNames.Add(name)) name += " " + (i + 1);
            int node = Id(row, col);
            restaurants.Add(new Restaurant($"r{i + 1:D3}", name, nodes[node], node));
        }

        var addresses = new List<CustomerAddress>(options.Addresses);
        for (int i = 0; i < options.Addresses; i++)
        {
            int row = rng.Next(n), col = rng.Next(n);
            int node = Id(row, col);
            string street = $"{rng.Next(1, 120)} {StreetNames[row % StreetNames.Length]} Street";
            addresses.Add(new CustomerAddress($"c{i + 1:D5}", street, nodes[node], node));
        }

        return new City(seed, options, graph, restaurants, addresses);
    }

    sealed class UnionFind(int size)
    {
        readonly int[] _parent = Enumerable.Range(0, size).ToArray();

        public int Find(int x)
        {
            while (_parent[x] != x) x = _parent[x] = _parent[_parent[x]];
            return x;
        }

        public void Union(int a, int b) => _parent[Find(a)] = Find(b);
    }
}
