using System.Collections.Concurrent;
using Rill.Tracking.Simulator.Api;
using Rill.Tracking.Simulator.Simulation;

namespace Rill.Tracking.Simulator.LoadTest;

/// <summary>History rows of a fleet's riders compared with what the app acked to them.</summary>
sealed record HistoryResult(long Acked, long Rows, long Distinct, long Duplicates, long Missing, int RidersChecked, string? Error)
{
    public bool Exact => Error is null && Rows == Acked && Duplicates == 0 && Missing == 0;
}

static class HistoryCheck
{
    /// <summary>
    /// Reads every rider's history between the two times and compares with its acks: each acked seq must be there
    /// exactly once. Retries until they match or the timeout passes (history is written in batches).
    /// </summary>
    public static async Task<HistoryResult> VerifyAsync(AppClient app, Fleet fleet, long fromMs, long toMs, TimeSpan timeout, CancellationToken ct)
    {
        var until = DateTime.UtcNow + timeout;
        HistoryResult result;
        do
        {
            result = await ReadAsync(app, fleet, fromMs, toMs, ct);
            if (result.Exact || result.Rows > result.Acked) return result;
            await Task.Delay(1000, ct);
        } while (DateTime.UtcNow < until);
        return result;
    }

    static async Task<HistoryResult> ReadAsync(AppClient app, Fleet fleet, long fromMs, long toMs, CancellationToken ct)
    {
        long acked = 0, rows = 0, distinct = 0, duplicates = 0, missing = 0;
        var errors = new ConcurrentBag<string>();
        var riders = fleet.RiderLinks;
        await Parallel.ForEachAsync(riders, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (r, token) =>
        {
            try
            {
                var history = await app.GetHistoryAsync(r.RiderId, fromMs, toMs, token);
                var seqs = history.Where(h => h.Seq is not null).Select(h => h.Seq!.Value).ToHashSet();
                var unacked = r.Link is IUnackedSeqs a ? a.UnackedSeqs : [];
                long ackedHere = r.Link.Acked;
                // Acked seqs are 1..Sent minus the ones still unacked (errors are none in a passing run).
                long expectedPresent = 0;
                for (long s = 1; s <= r.Link.Sent; s++)
                    if (!unacked.Contains(s) && seqs.Contains(s)) expectedPresent++;
                Interlocked.Add(ref acked, ackedHere);
                Interlocked.Add(ref rows, history.Count);
                Interlocked.Add(ref distinct, seqs.Count);
                Interlocked.Add(ref duplicates, history.Count - seqs.Count);
                Interlocked.Add(ref missing, Math.Max(0, ackedHere - expectedPresent));
            }
            catch (HttpRequestException e) { errors.Add(e.Message); }
        });
        return new HistoryResult(acked, rows, distinct, duplicates, missing, riders.Count, errors.IsEmpty ? null : errors.First());
    }
}

/// <summary>A rider link that can say which seqs are still unacked (the WebSocket link can).</summary>
interface IUnackedSeqs
{
    IReadOnlyCollection<long> UnackedSeqs { get; }
}
