"""Two kafka-python 2.0 consumers in one group on a 4-partition topic: assignments disjoint and
complete, every record consumed exactly once with synchronous commits; when one closes the other
takes its partitions; a member in a child process is SIGKILLed and the survivor gets its
partitions after the session timeout."""
import os, signal, subprocess, sys, threading, time
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
group = topic + '-group'

def consumer():
    return KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                         enable_auto_commit=False, session_timeout_ms=6000, heartbeat_interval_ms=500,
                         max_poll_interval_ms=15000)

if len(sys.argv) > 3 and sys.argv[3] == 'child':
    c = consumer()
    while True:
        c.poll(100)
        if c.assignment():
            print('assigned', flush=True)
            while True:
                c.poll(100)

admin = KafkaAdminClient(bootstrap_servers=bootstrap)
admin.create_topics([NewTopic(topic, 4, 1)])
producer = KafkaProducer(bootstrap_servers=bootstrap)
for i in range(400):
    producer.send(topic, key=f'k{i}'.encode(), value=str(i).encode(), partition=i % 4)
producer.flush()

def parts(c):
    return {tp.partition for tp in c.assignment()}

# kafka-python joins inside poll(): each member polls on its own thread, as applications do (one
# thread polling two members would block in the join, waiting for the other member).
lock = threading.Lock()
seen = {}
errors = []

class Member(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.consumer = consumer()
        self.running = True
        self.assigned = set()
        self.start()

    def run(self):
        try:
            while self.running:
                for tp, messages in self.consumer.poll(100).items():
                    with lock:
                        for m in messages:
                            if (m.partition, m.offset) in seen:
                                errors.append(('consumed twice', m.partition, m.offset))
                            seen[(m.partition, m.offset)] = int(m.value)
                    if messages:
                        self.consumer.commit()   # synchronous
                self.assigned = parts(self.consumer)
        except Exception as e:   # noqa: BLE001 - reported by the main thread
            errors.append(repr(e))

    def close(self):
        self.running = False
        self.join(10)
        self.consumer.close()

def until(what, check, limit=90):
    start = time.time()
    while time.time() - start < limit and not check():
        assert not errors, errors
        time.sleep(0.1)
    assert check(), 'timed out: ' + what

a, b = Member(), Member()
until('shared and all consumed', lambda: len(a.assigned) == 2 and len(b.assigned) == 2 and len(seen) == 400)
assert a.assigned.isdisjoint(b.assigned) and a.assigned | b.assigned == {0, 1, 2, 3}, (a.assigned, b.assigned)
assert sorted(seen.values()) == list(range(400))
b.close()
until('a takes over after b leaves', lambda: len(a.assigned) == 4)

victim = subprocess.Popen([sys.executable, os.path.abspath(__file__), bootstrap, topic, 'child'], stdout=subprocess.PIPE, text=True)
assert victim.stdout.readline().startswith('assigned')
until('shared with the child', lambda: len(a.assigned) == 2)
victim.send_signal(signal.SIGKILL)
victim.wait()
until('a takes over after the kill', lambda: len(a.assigned) == 4)
a.running = False
a.join(10)
committed = sum(a.consumer.committed(TopicPartition(topic, p)) or 0 for p in range(4))
assert committed == 400, committed
a.consumer.close()
assert not errors, errors
print('ok', len(seen))
