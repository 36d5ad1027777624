namespace Rill.Broker.Config;

public sealed partial class BrokerConfig
{
    /// <summary>rill.log.max.open.files: segment files the log directory keeps open at once (0: half the process's open-file limit).</summary>
    public int LogMaxOpenFiles => GetInt("rill.log.max.open.files");
}
