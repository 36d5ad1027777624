using System.Globalization;

namespace Rill.Storage;

/// <summary>File names inside a partition directory, as Kafka names them.</summary>
internal static class LogFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string TxnIndexSuffix = ".txnindex";
    public const string SnapshotSuffix = ".snapshot";
    public const string DeletedSuffix = ".deleted";
    public const string CleanShutdownFile = ".rill_cleanshutdown";

    public static string BaseName(long offset) => offset.ToString("D20", CultureInfo.InvariantCulture);

    public static string LogFile(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + LogSuffix);
    public static string IndexFile(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + IndexSuffix);
    public static string TimeIndexFile(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + TimeIndexSuffix);
    public static string TxnIndexFile(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + TxnIndexSuffix);
    public static string SnapshotFile(string dir, long offset) => Path.Combine(dir, BaseName(offset) + SnapshotSuffix);

    /// <summary>Parses "00000000000000000042.log" style names; false for anything else.</summary>
    public static bool TryParseOffset(string fileName, string suffix, out long offset)
    {
        offset = -1;
        if (!fileName.EndsWith(suffix, StringComparison.Ordinal)) return false;
        ReadOnlySpan<char> digits = fileName.AsSpan(0, fileName.Length - suffix.Length);
        if (digits.Length != 20) return false;
        foreach (char c in digits)
        {
            if (c < '0' || c > '9') return false;
        }
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }
}
