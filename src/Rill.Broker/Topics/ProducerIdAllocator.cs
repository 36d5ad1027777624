using System.Globalization;

namespace Rill.Broker.Topics;

/// <summary>
/// Hands out producer ids that are never reused, also across restarts: ids are reserved in
/// blocks, and the end of the current block is written (atomically) to <c>producer-id-block</c>
/// before any id of it is handed out. A crash wastes at most the rest of one block.
/// </summary>
internal sealed class ProducerIdAllocator
{
    public const int BlockSize = 1000;
    private const string FileName = "producer-id-block";
    private readonly string _path;
    private readonly Lock _lock = new();
    private long _next;
    private long _blockEnd;

    public ProducerIdAllocator(string logDir)
    {
        _path = Path.Combine(logDir, FileName);
        if (File.Exists(_path) && long.TryParse(File.ReadAllText(_path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long end))
        {
            _next = end;
            _blockEnd = end;
        }
    }

    /// <summary>Cluster mode: blocks come from the metadata store (unique across brokers) instead of the local file.</summary>
    public Func<long>? ReserveBlock { get; set; }

    public long Next()
    {
        lock (_lock)
        {
            if (_next >= _blockEnd && ReserveBlock is { } reserve)
            {
                _next = reserve();
                _blockEnd = _next + BlockSize;
            }
            if (_next >= _blockEnd)
            {
                long end = _next + BlockSize;
                string temp = _path + ".tmp";
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                using (var writer = new StreamWriter(stream))
                {
                    writer.Write(end.ToString(CultureInfo.InvariantCulture));
                    writer.Flush();
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temp, _path, overwrite: true);
                _blockEnd = end;
            }
            return _next++;
        }
    }
}
