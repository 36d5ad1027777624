using System.Globalization;

namespace Rill.Broker.Transactions;

/// <summary>
/// The transaction coordinator's epoch, written into every marker it sends (Kafka uses the leader
/// epoch of the __transaction_state partition). One node owns every partition here, so the epoch
/// is a counter in the log dir raised each time the coordinator starts: markers of an older
/// incarnation carry a smaller epoch.
/// </summary>
internal static class CoordinatorEpoch
{
    private const string FileName = "transaction-coordinator-epoch";

    public static int Next(string logDir)
    {
        string path = Path.Combine(logDir, FileName);
        int epoch = 0;
        if (File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int last))
        {
            epoch = last + 1;
        }
        string temp = path + ".tmp";
        File.WriteAllText(temp, epoch.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, path, overwrite: true);
        return epoch;
    }
}
