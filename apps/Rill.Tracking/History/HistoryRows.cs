using System.Data.Common;

namespace Rill.Tracking.History;

/// <summary>The positions table's row shape, shared by the SQLite and PostgreSQL stores.</summary>
internal static class HistoryRows
{
    /// <summary>Stored in the seq column for an update without a sequence number (the unique key needs a value).</summary>
    public const long NoSeq = -1;

    /// <summary>The columns <see cref="ReadAllAsync"/> expects, in order.</summary>
    public const string Columns = "rider_id, order_id, lat, lon, ts, speed_mps, heading, seq";

    public static async Task<IReadOnlyList<HistoryRow>> ReadAllAsync(DbCommand cmd, CancellationToken cancellationToken)
    {
        var rows = new List<HistoryRow>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new HistoryRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetDouble(2), reader.GetDouble(3),
                reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetDouble(5), reader.IsDBNull(6) ? null : reader.GetDouble(6),
                reader.GetInt64(7) is var s && s == NoSeq ? null : s));
        }
        return rows;
    }
}
