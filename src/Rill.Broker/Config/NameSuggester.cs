namespace Rill.Broker.Config;

/// <summary>Finds the known name closest to a misspelt one (Levenshtein distance).</summary>
internal static class NameSuggester
{
    public static string? Closest(string name, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known)
        {
            int d = Distance(name, candidate, bestDistance);
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        // Suggest only when the name is plausibly a typo of the candidate, not something else entirely.
        int limit = Math.Max(3, name.Length / 3);
        return bestDistance <= limit ? best : null;
    }

    public static string UnknownMessage(string kind, string name, IEnumerable<string> known)
    {
        string? suggestion = Closest(name, known);
        return suggestion is null
            ? $"Unknown {kind} '{name}'"
            : $"Unknown {kind} '{name}' (did you mean '{suggestion}'?)";
    }

    internal static int Distance(string a, string b, int cutoff = int.MaxValue)
    {
        if (Math.Abs(a.Length - b.Length) >= cutoff)
        {
            return cutoff;
        }

        Span<int> previous = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        Span<int> current = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            int rowMin = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                rowMin = Math.Min(rowMin, current[j]);
            }

            if (rowMin >= cutoff)
            {
                return cutoff;
            }

            Span<int> swap = previous;
            previous = current;
            current = swap;
        }

        return previous[b.Length];
    }
}
