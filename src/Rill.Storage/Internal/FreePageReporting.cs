namespace Rill.Storage.Internal;

/// <summary>
/// Whether this machine is a virtual machine that hands freed memory back to its hypervisor: a virtio memory
/// balloon (device id 5) that negotiated free page reporting (feature bit 5, VIRTIO_BALLOON_F_REPORTING). There
/// every page the kernel takes from its free lists after they were reported is faulted in again by the host at its
/// first touch, which makes writing into new page-cache memory several times dearer than into memory just freed
/// (docs/dev/storage.md "Page cache"). Read from sysfs; false wherever it cannot be read.
/// </summary>
internal static class FreePageReporting
{
    private const string VirtioDevices = "/sys/bus/virtio/devices";
    private const int BalloonDeviceId = 5;
    private const int ReportingFeatureBit = 5;

    private static readonly Lazy<bool> Here = new(() => IsActive(VirtioDevices));

    /// <summary>Whether free page reporting is on for this machine.</summary>
    public static bool Active => Here.Value;

    /// <summary>
    /// Whether a device under <paramref name="devicesRoot"/> (laid out as /sys/bus/virtio/devices: one directory per
    /// device, its <c>device</c> file the id in hex, its <c>features</c> file one '0'/'1' per feature bit from bit 0)
    /// is a balloon with free page reporting.
    /// </summary>
    public static bool IsActive(string devicesRoot)
    {
        try
        {
            if (!Directory.Exists(devicesRoot)) return false;
            foreach (string device in Directory.EnumerateDirectories(devicesRoot))
            {
                string idFile = Path.Combine(device, "device"), featuresFile = Path.Combine(device, "features");
                if (!File.Exists(idFile) || !File.Exists(featuresFile)) continue;
                string id = File.ReadAllText(idFile).Trim();
                if (id.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) id = id[2..];
                if (!int.TryParse(id, System.Globalization.NumberStyles.HexNumber, null, out int deviceId) || deviceId != BalloonDeviceId)
                {
                    continue;
                }
                string features = File.ReadAllText(featuresFile).Trim();
                if (features.Length > ReportingFeatureBit && features[ReportingFeatureBit] == '1') return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // sysfs unreadable (a container without it): treat as an ordinary machine
        }
        return false;
    }
}
