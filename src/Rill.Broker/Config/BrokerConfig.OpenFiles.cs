namespace Rill.Broker.Config;

public sealed partial class BrokerConfig
{
    /// <summary>rill.log.max.open.files: segment files the log directory keeps open at once (0: half the process's open-file limit).</summary>
    public int LogMaxOpenFiles => GetInt("rill.log.max.open.files");

    /// <summary>
    /// rill.log.drop.behind.bytes: appended bytes left in the page cache before the oldest are written back and dropped
    /// (0: off; -1, the default: 256 MiB on a virtual machine with free page reporting, else off).
    /// </summary>
    public long LogDropBehindBytes => GetLong("rill.log.drop.behind.bytes");
}
