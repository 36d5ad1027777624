namespace Rill.Tracking.City;

/// <summary>An undirected road graph: nodes with positions, edges weighted by their length in metres.</summary>
public sealed class RoadGraph
{
    readonly GeoPoint[] _nodes;
    readonly List<(int To, double Meters)>[] _adjacent;
    readonly List<(int A, int B)> _edges = [];

    public RoadGraph(IReadOnlyList<GeoPoint> nodes)
    {
        _nodes = [.. nodes];
        _adjacent = new List<(int, double)>[_nodes.Length];
        for (int i = 0; i < _adjacent.Length; i++) _adjacent[i] = [];
    }

    public int NodeCount => _nodes.Length;
    public IReadOnlyList<GeoPoint> Nodes => _nodes;
    public IReadOnlyList<(int A, int B)> Edges => _edges;
    public IReadOnlyList<(int To, double Meters)> Neighbours(int node) => _adjacent[node];

    public bool HasEdge(int a, int b) => _adjacent[a].Exists(e => e.To == b);

    public void AddEdge(int a, int b)
    {
        if (a == b || HasEdge(a, b)) return;
        double meters = Geo.DistanceMeters(_nodes[a], _nodes[b]);
        _adjacent[a].Add((b, meters));
        _adjacent[b].Add((a, meters));
        _edges.Add((a, b));
    }

    /// <summary>The node closest to a position (linear scan in local metres: a city has ~1,000 nodes).</summary>
    public int NearestNode(GeoPoint p)
    {
        double cosLat = Math.Cos(p.Lat * Math.PI / 180);
        int best = -1;
        double bestD = double.MaxValue;
        for (int i = 0; i < _nodes.Length; i++)
        {
            double dy = _nodes[i].Lat - p.Lat, dx = (_nodes[i].Lon - p.Lon) * cosLat;
            double d = dx * dx + dy * dy;
            if (d < bestD) { bestD = d; best = i; }
        }
        return best;
    }

    /// <summary>Number of nodes reachable from node 0 (equals <see cref="NodeCount"/> for a connected graph).</summary>
    public int ReachableFrom(int start)
    {
        var seen = new bool[_nodes.Length];
        var stack = new Stack<int>();
        stack.Push(start);
        seen[start] = true;
        int count = 0;
        while (stack.Count > 0)
        {
            int n = stack.Pop();
            count++;
            foreach (var (to, _) in _adjacent[n])
                if (!seen[to]) { seen[to] = true; stack.Push(to); }
        }
        return count;
    }

    /// <summary>A* shortest path between two nodes; the node sequence, or null if unreachable.</summary>
    public IReadOnlyList<int>? ShortestPath(int from, int to)
    {
        if (from == to) return [from];
        var g = new double[_nodes.Length];
        Array.Fill(g, double.PositiveInfinity);
        var previous = new int[_nodes.Length];
        Array.Fill(previous, -1);
        var closed = new bool[_nodes.Length];
        var open = new PriorityQueue<int, double>();
        g[from] = 0;
        open.Enqueue(from, Geo.DistanceMeters(_nodes[from], _nodes[to]));
        while (open.TryDequeue(out int n, out _))
        {
            if (closed[n]) continue;
            if (n == to) break;
            closed[n] = true;
            foreach (var (next, meters) in _adjacent[n])
            {
                double candidate = g[n] + meters;
                if (candidate < g[next])
                {
                    g[next] = candidate;
                    previous[next] = n;
                    open.Enqueue(next, candidate + Geo.DistanceMeters(_nodes[next], _nodes[to]));
                }
            }
        }
        if (previous[to] < 0) return null;
        var path = new List<int>();
        for (int n = to; n >= 0; n = previous[n]) path.Add(n);
        path.Reverse();
        return path;
    }
}
