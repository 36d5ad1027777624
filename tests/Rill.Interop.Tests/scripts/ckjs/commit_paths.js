// Every way librdkafka 2.15 commits offsets, under the classic or the consumer (KIP-848) group
// protocol; each path checks the committed offsets (and metadata) read back through OffsetFetch
// and that a new consumer of the group starts exactly there.
//   subscribe    subscribe, consume, commit explicit offsets, close
//   assign       assign() without subscribing (a "simple" commit from outside the membership)
//   metadata     subscribe and commit with metadata; assign() and commit with metadata
//   revoked      a second member takes one partition; the first commits both, including the one
//                it no longer owns, with its current epoch
//   stored       auto-commit of stored offsets (offsetsStore): the stored offset of a partition
//                given up in a rebalance is committed while revoking it, the rest on close
// Usage: node commit_paths.js <bootstrap> <topic> <classic|consumer> <mode>
'use strict';
const Kafka = require('@confluentinc/kafka-javascript');

const [bootstrap, topic, protocol, mode] = process.argv.slice(2);
const group = topic + '-group';
const PER_PARTITION = 10;
const deadline = Date.now() + 120_000;
const sleep = ms => new Promise(r => setTimeout(r, ms));

function fail(message) {
  console.error('FAIL ' + message);
  process.exit(1);
}

async function until(what, check) {
  while (!(await check())) {
    if (Date.now() > deadline) fail('timed out waiting for ' + what);
    await sleep(50);
  }
}

function connect(client) {
  return new Promise((resolve, reject) => client.connect({ timeout: 20000 }, err => (err ? reject(err) : resolve())));
}

async function setup() {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap });
  await new Promise((resolve, reject) =>
    admin.createTopic({ topic, num_partitions: 2, replication_factor: 1 }, 20000, err => (err ? reject(err) : resolve())));
  admin.disconnect();
  const producer = new Kafka.Producer({ 'bootstrap.servers': bootstrap, 'dr_cb': true });
  await connect(producer);
  let delivered = 0;
  producer.on('delivery-report', err => { if (err) fail('delivery ' + err); delivered++; });
  producer.setPollInterval(20);
  for (let i = 0; i < 2 * PER_PARTITION; i++) {
    producer.produce(topic, i % 2, Buffer.from('v' + i));
  }
  await until('deliveries', () => delivered === 2 * PER_PARTITION);
  producer.disconnect();
}

function consumer(name, extra = {}) {
  const config = {
    'bootstrap.servers': bootstrap, 'group.id': group, 'client.id': name, 'enable.auto.commit': false,
    'group.protocol': protocol,
    ...(protocol === 'classic' ? { 'session.timeout.ms': 10000, 'heartbeat.interval.ms': 500 } : {}),
    ...(process.env.RDDEBUG ? { debug: process.env.RDDEBUG } : {}),
    ...extra,
  };
  const c = new Kafka.KafkaConsumer(config, { 'auto.offset.reset': 'earliest' });
  if (process.env.RDDEBUG) c.on('event.log', l => console.error(name + ' ' + l.fac + ' ' + l.message));
  return c;
}

const consume = c => new Promise(resolve => c.consume(20, (err, m) => resolve(err ? [] : m)));
const owned = c => c.assignments().filter(a => a.topic === topic).map(a => a.partition).sort();

// commitSync waits for the OffsetCommit response and throws on a group or partition error.
async function commitOk(c, offsets, what) {
  try {
    c.commitSync(offsets.map(o => ({ topic, ...o })));
  } catch (e) {
    fail(what + ' commit refused: ' + (e && (e.message || e.code)));
  }
}

function committed(c, partitions) {
  return new Promise((resolve, reject) =>
    c.committed(partitions.map(p => ({ topic, partition: p })), 10000, (err, tps) => (err ? reject(err) : resolve(tps))));
}

// Reads the group's committed offsets through a separate client (OffsetFetch).
async function readBack(expected) {
  const c = consumer('reader');
  await connect(c);
  const tps = await committed(c, Object.keys(expected).map(Number));
  await new Promise(resolve => c.disconnect(() => resolve()));
  for (const tp of tps) {
    const want = expected[tp.partition];
    if (tp.offset !== want.offset) fail(`committed offset of partition ${tp.partition} is ${tp.offset}, expected ${want.offset}`);
    if (want.metadata !== undefined && String(tp.metadata) !== want.metadata) {
      fail(`committed metadata of partition ${tp.partition} is ${tp.metadata}, expected ${want.metadata}`);
    }
  }
  return tps.map(tp => `${tp.partition}:${tp.offset}${tp.metadata ? '/' + tp.metadata : ''}`).join(',');
}

// A new consumer (subscribe, or assign() at the stored offsets) must start at the committed offsets.
async function resumesAt(expected, how) {
  const c = consumer('resume-' + how);
  await connect(c);
  c.setDefaultConsumeTimeout(100);
  if (how === 'assign') c.assign(Object.keys(expected).map(p => ({ topic, partition: Number(p) })));
  else c.subscribe([topic]);
  const first = {};
  await until('the resumed consumer reads every partition', async () => {
    for (const m of await consume(c)) {
      if (!(m.partition in first)) first[m.partition] = m.offset;
    }
    return Object.keys(expected).every(p => p in first);
  });
  await new Promise(resolve => c.disconnect(() => resolve()));
  for (const p of Object.keys(expected)) {
    if (first[p] !== expected[p].offset) fail(`${how} consumer resumed partition ${p} at ${first[p]}, expected ${expected[p].offset}`);
  }
}

async function readUntil(c, partitionOffsets) {
  await until('consumed up to ' + JSON.stringify(partitionOffsets), async () => {
    const done = {};
    for (const m of await consume(c)) done[m.partition] = m.offset;
    for (const p of Object.keys(done)) c.reached[p] = Math.max(c.reached[p] ?? -1, done[p]);
    return Object.entries(partitionOffsets).every(([p, o]) => (c.reached[p] ?? -1) >= o);
  });
}

async function subscribed(name, extra = {}) {
  const c = consumer(name, extra);
  c.reached = {};
  await connect(c);
  c.setDefaultConsumeTimeout(100);
  c.subscribe([topic]);
  return c;
}

const close = c => new Promise(resolve => c.disconnect(() => resolve()));

(async () => {
  await setup();
  let expected;
  switch (mode) {
    case 'subscribe': {
      const c = await subscribed('member');
      await readUntil(c, { 0: 5, 1: 5 });
      expected = { 0: { offset: 6 }, 1: { offset: 4 } };
      await commitOk(c, [{ partition: 0, offset: 6 }, { partition: 1, offset: 4 }], 'subscribed');
      await close(c);
      break;
    }
    case 'assign': {
      const c = consumer('assigned');
      c.reached = {};
      await connect(c);
      c.setDefaultConsumeTimeout(100);
      c.assign([{ topic, partition: 0, offset: 0 }, { topic, partition: 1, offset: 0 }]);
      await readUntil(c, { 0: 3, 1: 3 });
      expected = { 0: { offset: 4 }, 1: { offset: 7 } };
      await commitOk(c, [{ partition: 0, offset: 4 }, { partition: 1, offset: 7 }], 'assign()');
      await close(c);
      break;
    }
    case 'metadata': {
      const c = await subscribed('member');
      await readUntil(c, { 0: 2, 1: 2 });
      await commitOk(c, [{ partition: 0, offset: 3, metadata: 'sub-0' }, { partition: 1, offset: 2, metadata: 'sub-1' }], 'subscribed with metadata');
      await close(c);
      console.log('subscribed ' + await readBack({ 0: { offset: 3, metadata: 'sub-0' }, 1: { offset: 2, metadata: 'sub-1' } }));
      const a = consumer('assigned');
      await connect(a);
      a.assign([{ topic, partition: 0, offset: 0 }, { topic, partition: 1, offset: 0 }]);
      expected = { 0: { offset: 5, metadata: 'assign-0' }, 1: { offset: 8, metadata: 'assign-1' } };
      await commitOk(a, [{ partition: 0, offset: 5, metadata: 'assign-0' }, { partition: 1, offset: 8, metadata: 'assign-1' }], 'assign() with metadata');
      await close(a);
      break;
    }
    case 'revoked': {
      const a = await subscribed('member-a');
      await until('a owns both partitions', () => owned(a).length === 2);
      await readUntil(a, { 0: 4, 1: 4 });
      const b = await subscribed('member-b');
      const keepB = (async () => { while (!b.stopped) { await consume(b); await sleep(20); } })();
      await until('b takes one partition from a', async () => { await consume(a); return owned(a).length === 1 && owned(b).length === 1; });
      const lost = [0, 1].find(p => !owned(a).includes(p));
      console.log('a lost partition ' + lost);
      // a commits what it read from both partitions, the lost one included, at its current epoch
      expected = { 0: { offset: 5 }, 1: { offset: 5 } };
      await commitOk(a, [{ partition: 0, offset: 5 }, { partition: 1, offset: 5 }], 'after revocation');
      b.stopped = true;
      await keepB;
      await close(b);
      await close(a);
      break;
    }
    case 'stored': {
      // Auto-commit of stored offsets: a stores offsets for both partitions; when b joins, a
      // commits the stored offset of the partition it gives up while revoking it, and the rest
      // when it closes.
      const a = await subscribed('member-a', { 'enable.auto.commit': true, 'auto.commit.interval.ms': 600000, 'enable.auto.offset.store': false });
      await until('a owns both partitions', () => owned(a).length === 2);
      await readUntil(a, { 0: 6, 1: 6 });
      a.offsetsStore([{ topic, partition: 0, offset: 3 }, { topic, partition: 1, offset: 6 }]);
      const b = await subscribed('member-b', { 'enable.auto.commit': false });
      const keepB = (async () => { while (!b.stopped) { await consume(b); await sleep(20); } })();
      await until('b takes one partition from a', async () => { await consume(a); return owned(a).length === 1 && owned(b).length === 1; });
      const lost = [0, 1].find(p => !owned(a).includes(p));
      console.log('a lost partition ' + lost);
      b.stopped = true;
      await keepB;
      await close(b);
      await close(a);
      expected = { 0: { offset: 3 }, 1: { offset: 6 } };
      break;
    }
    default:
      fail('unknown mode ' + mode);
  }
  console.log('committed ' + await readBack(expected));
  await resumesAt(expected, 'subscribe');
  await resumesAt(expected, 'assign');
  console.log(`ok ${protocol} ${mode}`);
  process.exit(0);
})().catch(e => fail(e && e.stack || e));
