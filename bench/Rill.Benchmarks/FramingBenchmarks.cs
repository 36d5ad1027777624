using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Rill.Broker.Network;

namespace Rill.Benchmarks;

/// <summary>Finding a request frame in received bytes, on one segment and split across two. Allocation-free.</summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private ReadOnlySequence<byte> _contiguous;
    private ReadOnlySequence<byte> _split;

    [GlobalSetup]
    public void Setup()
    {
        byte[] frame = new byte[4 + 1024];
        BinaryPrimitives.WriteInt32BigEndian(frame, 1024);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), 0);   // Produce
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), 9);
        _contiguous = new ReadOnlySequence<byte>(frame);
        _split = Segments.Split(frame, 2);
    }

    [Benchmark]
    public int Contiguous() => FrameDecoder.TryRead(_contiguous, 100 * 1024 * 1024, out int size) == FrameStatus.Complete ? size : -1;

    [Benchmark]
    public int SplitPrefix() => FrameDecoder.TryRead(_split, 100 * 1024 * 1024, out int size) == FrameStatus.Complete ? size : -1;

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Split(byte[] data, int at)
        {
            var first = new Segments(data.AsMemory(0, at), 0);
            var second = new Segments(data.AsMemory(at), at);
            first.Next = second;
            return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
        }
    }
}
