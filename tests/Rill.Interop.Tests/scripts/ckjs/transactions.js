// Transactions with librdkafka 2.15 (@confluentinc/kafka-javascript): commit, abort, commit of
// 6 / 4 / 2 records over two partitions; a read_uncommitted consumer sees every data record with
// the markers' offsets skipped (read_committed, with the flag: only the committed ones); then
// a zombie producer is fenced by a new producer with the same transactional id.
// Usage: node transactions.js <bootstrap> <prefix> [read_committed]
'use strict';
const Kafka = require('@confluentinc/kafka-javascript');

const [bootstrap, prefix, mode] = process.argv.slice(2);
const topic = prefix + '-out';
const deadline = Date.now() + 100_000;
const sleep = ms => new Promise(r => setTimeout(r, ms));
const fail = message => { console.error('FAIL ' + message); process.exit(1); };
const call = (fn, ...args) => new Promise((resolve, reject) => fn(...args, err => (err ? reject(err) : resolve())));
const connect = client => new Promise((resolve, reject) => client.connect({ timeout: 20000 }, err => (err ? reject(err) : resolve())));

async function producer(id) {
  const p = new Kafka.Producer({ 'bootstrap.servers': bootstrap, 'transactional.id': id, 'dr_cb': true });
  await connect(p);
  p.setPollInterval(20);
  await call(p.initTransactions.bind(p), 30000);
  return p;
}

async function readAll(isolation, expected) {
  const c = new Kafka.KafkaConsumer({ 'bootstrap.servers': bootstrap, 'group.id': prefix + '-' + isolation,
    'enable.auto.commit': false, 'isolation.level': isolation }, {});
  await connect(c);
  c.assign([{ topic, partition: 0, offset: 0 }, { topic, partition: 1, offset: 0 }]);
  const seen = [];
  const quietUntil = () => Date.now() + 3000;
  let quiet = quietUntil();
  while (Date.now() < deadline && (seen.length < expected || Date.now() < quiet)) {
    const batch = await new Promise(resolve => c.consume(50, (err, m) => resolve(err ? [] : m)));
    for (const m of batch) { seen.push([m.partition, m.offset, m.value.toString()]); quiet = quietUntil(); }
    if (seen.length > expected) break;
  }
  c.disconnect();
  return seen;
}

(async () => {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap });
  await new Promise((resolve, reject) => admin.createTopic({ topic, num_partitions: 2, replication_factor: 1 },
    err => (err ? reject(err) : resolve())));
  admin.disconnect();

  const p = await producer(prefix + '-tx');
  const rounds = [[6, true], [4, false], [2, true]];
  for (let n = 0; n < rounds.length; n++) {
    const [count, commit] = rounds[n];
    await call(p.beginTransaction.bind(p));
    for (let i = 0; i < count; i++) p.produce(topic, i % 2, Buffer.from(`t${n}-${i}`));
    await call(p.flush.bind(p), 30000);
    if (commit) await call(p.commitTransaction.bind(p), 30000);
    else await call(p.abortTransaction.bind(p), 30000);
  }

  const uncommitted = await readAll('read_uncommitted', 12);
  if (uncommitted.length !== 12) fail('read_uncommitted saw ' + JSON.stringify(uncommitted));
  const p0 = uncommitted.filter(r => r[0] === 0).sort((a, b) => a[1] - b[1]);
  const offsets = p0.map(r => r[1]).join(',');
  if (offsets !== '0,1,2,4,5,7') fail('partition 0 offsets ' + offsets + ' (markers at 3, 6, 8 expected)');
  const values = p0.map(r => r[2]).join(',');
  if (values !== 't0-0,t0-2,t0-4,t1-0,t1-2,t2-0') fail('partition 0 values ' + values);
  console.log('ok uncommitted ' + uncommitted.length);

  if (mode === 'read_committed') {
    const committed = await readAll('read_committed', 8);
    const got = committed.map(r => r[2]).sort().join(',');
    const want = ['t0-0', 't0-1', 't0-2', 't0-3', 't0-4', 't0-5', 't2-0', 't2-1'].join(',');
    if (got !== want) fail('read_committed saw ' + got);
    console.log('ok committed ' + committed.length);
  }

  // A zombie: the second producer with the same transactional id fences the first.
  const zombie = await producer(prefix + '-zombie');
  await call(zombie.beginTransaction.bind(zombie));
  zombie.produce(topic, 0, Buffer.from('zombie-open'));
  await call(zombie.flush.bind(zombie), 30000);
  const successor = await producer(prefix + '-zombie');
  let fenced = null;
  try {
    zombie.produce(topic, 0, Buffer.from('zombie-late'));
    await call(zombie.flush.bind(zombie), 10000);
    await call(zombie.commitTransaction.bind(zombie), 10000);
  } catch (e) {
    fenced = e;
  }
  if (!fenced) fail('the zombie committed after being fenced');
  await call(successor.beginTransaction.bind(successor));
  successor.produce(topic, 0, Buffer.from('successor'));
  await call(successor.commitTransaction.bind(successor), 30000);
  console.log('ok fenced ' + fenced.code + ' fatal=' + fenced.isFatal);
  for (const c of [p, zombie, successor]) c.disconnect();
  await sleep(100);
  process.exit(0);
})().catch(e => fail(e.stack || String(e)));
