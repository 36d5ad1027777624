# Prints kafka-python's murmur2 partition for each stdin line (key bytes = UTF-8 of the line) over argv[1] partitions.
import sys
from kafka.partitioner.default import murmur2

n = int(sys.argv[1])
for line in sys.stdin.read().split("\n"):
    if line:
        print((murmur2(line.encode("utf-8")) & 0x7fffffff) % n)
