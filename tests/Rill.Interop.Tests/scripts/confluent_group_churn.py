"""librdkafka consumer groups under churn. Modes:
  kill <bootstrap> <topic>    a member in a child process is SIGKILLed; the survivor gets its
                              partitions after the session timeout and consumes what it missed.
  churn <bootstrap> <topic>   a producer writes continuously while members join and leave
                              several times; every record produced is consumed (with committed
                              offsets, nothing is skipped).
  static <bootstrap> <topic>  static membership (group.instance.id): a member that restarts
                              within the session timeout gets its partitions back and the other
                              member sees no rebalance.
  child <bootstrap> <topic> <group> [instance]   (internal) a member that consumes until killed."""
import os, signal, subprocess, sys, threading, time
from confluent_kafka import Producer, Consumer, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

mode, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]

def create(partitions=4):
    admin = AdminClient({'bootstrap.servers': bootstrap})   # kept alive until the result arrives
    admin.create_topics([NewTopic(topic, partitions, 1)])[topic].result()

def consumer(group, instance=None, **extra):
    conf = {'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
            'enable.auto.commit': False, 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500}
    if instance:
        conf['group.instance.id'] = instance
    conf.update(extra)
    return Consumer(conf)

def poll_commit(c, seen, timeout=0.05):
    m = c.poll(timeout)
    if m is None or m.error():
        return
    seen.append(int(m.value()))
    try:
        c.commit(m, asynchronous=False)
    except KafkaException as e:
        assert e.args[0].code() in (22, 25, 27), e   # commit racing a rebalance: redelivered later

def until(what, check, limit=60, step=None):
    start = time.time()
    while time.time() - start < limit:
        if step:
            step()
        if check():
            return
        if not step:
            time.sleep(0.05)
    raise AssertionError('timed out: ' + what)

def parts(c):
    return {tp.partition for tp in c.assignment()}

if mode == 'child':
    group = sys.argv[4]
    c = consumer(group, sys.argv[5] if len(sys.argv) > 5 else None)
    c.subscribe([topic])
    seen, last = [], None
    while True:
        poll_commit(c, seen, 0.1)
        now = sorted(parts(c))
        if now and now != last:
            print('assigned', now, flush=True)
            last = now

def child(group, instance=None):
    args = [sys.executable, os.path.abspath(__file__), 'child', bootstrap, topic, group] + ([instance] if instance else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)

def produce(values):
    p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True})
    for v in values:
        p.produce(topic, key=f'k{v}', value=str(v))
    assert p.flush(30) == 0

if mode == 'kill':
    create()
    produce(range(200))
    survivor = consumer('kill-group')
    survivor.subscribe([topic])
    seen = []
    until('survivor assigned', lambda: len(parts(survivor)) == 4, step=lambda: poll_commit(survivor, seen))
    # The survivor reads (and commits) the first 200 before the victim joins: whatever the victim read and
    # committed would never reach the survivor, and the check below counts the survivor's records only.
    until('survivor read the first 200', lambda: set(range(200)) <= set(seen), step=lambda: poll_commit(survivor, seen))
    victim = child('kill-group')
    until('victim shares', lambda: len(parts(survivor)) == 2, step=lambda: poll_commit(survivor, seen))
    time.sleep(1)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed_at = time.time()
    produce(range(200, 300))
    until('survivor takes over after the session timeout', lambda: len(parts(survivor)) == 4, limit=60,
          step=lambda: poll_commit(survivor, seen))
    took = time.time() - killed_at
    until('every record consumed', lambda: set(range(300)) <= set(seen), step=lambda: poll_commit(survivor, seen))
    survivor.close()
    print('ok kill', round(took, 1))

elif mode == 'churn':
    create()
    stop = threading.Event()
    produced = []
    def producer_loop():
        p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 5})
        i = 0
        while not stop.is_set():
            p.produce(topic, key=f'k{i}', value=str(i))
            produced.append(i)
            i += 1
            p.poll(0)
            time.sleep(0.002)
        assert p.flush(30) == 0
    thread = threading.Thread(target=producer_loop)
    thread.start()
    seen = []
    base = consumer('churn-group')
    base.subscribe([topic])
    for round_ in range(3):
        extra = consumer('churn-group')
        extra.subscribe([topic])
        until('rebalance in', lambda: len(parts(base)) == 2 and len(parts(extra)) == 2,
              step=lambda: (poll_commit(base, seen), poll_commit(extra, seen)))
        for _ in range(40):
            poll_commit(base, seen)
            poll_commit(extra, seen)
        extra.close()
        until('rebalance out', lambda: len(parts(base)) == 4, step=lambda: poll_commit(base, seen))
    stop.set()
    thread.join()
    until('every produced record consumed', lambda: set(produced) <= set(seen), step=lambda: poll_commit(base, seen))
    base.close()
    print('ok churn', len(produced), 'produced', len(seen), 'consumed')

elif mode == 'static':
    create()
    produce(range(100))
    events = []
    stable = consumer('static-group', 'stable-1')
    stable.subscribe([topic], on_assign=lambda c, ps: events.append(('assign', sorted(p.partition for p in ps))),
                     on_revoke=lambda c, ps: events.append(('revoke', sorted(p.partition for p in ps))))
    seen = []
    until('stable assigned', lambda: len(parts(stable)) == 4, step=lambda: poll_commit(stable, seen))
    restarting = child('static-group', 'restarting-1')
    until('shared', lambda: len(parts(stable)) == 2, step=lambda: poll_commit(stable, seen))
    first = restarting.stdout.readline().split(' ', 1)[1].strip()
    events_before = list(events)
    restarting.send_signal(signal.SIGKILL)   # no LeaveGroup: a static member is expected back
    restarting.wait()
    again = child('static-group', 'restarting-1')
    second = again.stdout.readline().split(' ', 1)[1].strip()
    for _ in range(40):
        poll_commit(stable, seen)
    assert second == first, (first, second)
    assert events == events_before, (events_before, events)   # no rebalance for the stable member
    again.send_signal(signal.SIGKILL)
    again.wait()
    stable.close()
    print('ok static', first, second)
