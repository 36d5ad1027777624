using Confluent.Kafka;

namespace Rill.Interop.Tests;

/// <summary>Loads Debian's librdkafka for Confluent.Kafka 1.9.3 (its own native package is not available here).</summary>
internal static class ConfluentNative
{
    private const string SystemLibrdkafka = "/usr/lib/x86_64-linux-gnu/librdkafka.so.1";
    private static readonly Lock LoadLock = new();
    private static bool _loaded;

    public static void Load()
    {
        lock (LoadLock)
        {
            if (!_loaded)
            {
                Assert.True(File.Exists(SystemLibrdkafka), "librdkafka is missing: apt-get install librdkafka-dev (bash .ci/run does).");
                // Confluent.Kafka 1.9 dlopens through "libdl", which glibc 2.34+ only ships as libdl.so.2.
                System.Runtime.InteropServices.NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, (name, _, _) =>
                    name == "libdl" ? System.Runtime.InteropServices.NativeLibrary.Load("libdl.so.2") : 0);
                Library.Load(SystemLibrdkafka);
                _loaded = true;
            }
        }
    }
}
