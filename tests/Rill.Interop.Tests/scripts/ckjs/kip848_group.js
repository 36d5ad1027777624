// KIP-848 with librdkafka 2.x (group.protocol=consumer) against Rill: two members share a
// 4-partition topic (disjoint, complete), consume everything exactly once with synchronous
// commits, one leaves and the other takes over, a new member rejoins and they share again,
// then the group is described through the admin API (ConsumerGroupDescribe).
// Usage: node kip848_group.js <bootstrap> <topic> <group>
'use strict';
const Kafka = require('@confluentinc/kafka-javascript');

const [bootstrap, topic, group] = process.argv.slice(2);
const RECORDS = 200;
const deadline = Date.now() + 150_000;

function fail(message) {
  console.error('FAIL ' + message);
  process.exit(1);
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

async function until(what, check) {
  while (!check()) {
    if (Date.now() > deadline) fail('timed out waiting for ' + what);
    await sleep(100);
  }
}

function connect(client) {
  return new Promise((resolve, reject) => client.connect({ timeout: 20000 }, err => (err ? reject(err) : resolve())));
}

async function createTopic() {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap });
  await new Promise((resolve, reject) =>
    admin.createTopic({ topic, num_partitions: 4, replication_factor: 1 }, 20000, err => (err ? reject(err) : resolve())));
  admin.disconnect();
}

async function produce() {
  const producer = new Kafka.Producer({ 'bootstrap.servers': bootstrap, 'dr_cb': true, 'enable.idempotence': true });
  await connect(producer);
  let delivered = 0;
  producer.on('delivery-report', (err) => { if (err) fail('delivery ' + err); delivered++; });
  producer.setPollInterval(50);
  for (let i = 0; i < RECORDS; i++) {
    producer.produce(topic, i % 4, Buffer.from('v' + i), Buffer.from('k' + i));
  }
  await until('deliveries', () => delivered === RECORDS);
  producer.disconnect();
}

function consumer(name, seen) {
  const c = new Kafka.KafkaConsumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'group.protocol': 'consumer',
    'client.id': name,
    'enable.auto.commit': false,
    ...(process.env.RDDEBUG ? { debug: process.env.RDDEBUG } : {}),
  }, { 'auto.offset.reset': 'earliest' });
  if (process.env.RDDEBUG) c.on('event.log', l => console.error(name + ' ' + l.fac + ' ' + l.message));
  c.name = name;
  c.seen = seen;
  c.running = true;
  return c;
}

async function start(c) {
  await connect(c);
  c.setDefaultConsumeTimeout(100);
  c.subscribe([topic]);
  (async () => {
    while (c.running) {
      const messages = await new Promise(resolve => c.consume(50, (err, m) => resolve(err ? [] : m)));
      for (const m of messages) {
        const id = m.value.toString();
        c.seen.push(id);
        try { c.commitSync({ topic: m.topic, partition: m.partition, offset: m.offset + 1 }); } catch (e) { /* revoked meanwhile: redelivered to the new owner */ }
      }
      if (messages.length === 0) await sleep(20);
    }
  })();
}

function owned(c) {
  return c.assignments().filter(a => a.topic === topic).map(a => a.partition).sort();
}

async function stop(c) {
  c.running = false;
  await sleep(300);
  await new Promise(resolve => c.disconnect(() => resolve()));
}

(async () => {
  await createTopic();
  await produce();

  const seen = [];
  const a = consumer('member-a', seen);
  await start(a);
  await until('a owns all 4 partitions', () => owned(a).length === 4);

  const b = consumer('member-b', seen);
  await start(b);
  await until('a and b share 2 + 2', () => owned(a).length === 2 && owned(b).length === 2);
  const union = new Set([...owned(a), ...owned(b)]);
  if (union.size !== 4) fail('assignments overlap: ' + owned(a) + ' / ' + owned(b));
  console.log('shared ' + JSON.stringify(owned(a)) + ' ' + JSON.stringify(owned(b)));

  await until('every record consumed', () => new Set(seen).size === RECORDS);

  await stop(b);
  await until('a takes over all 4 after b leaves', () => owned(a).length === 4);
  console.log('took over');

  const seen2 = [];
  const b2 = consumer('member-b2', seen2);
  await start(b2);
  await until('a and the rejoined member share 2 + 2', () => owned(a).length === 2 && owned(b2).length === 2);
  console.log('rejoined ' + JSON.stringify(owned(a)) + ' ' + JSON.stringify(owned(b2)));
  await sleep(1500);
  if (seen2.length !== 0) fail('committed records were delivered again: ' + seen2.length);

  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap });
  const described = await new Promise((resolve, reject) =>
    admin.describeGroups([group], { timeout: 10000 }, (err, d) => (err ? reject(err) : resolve(d))));
  const g = described.groups[0];
  console.log('described ' + JSON.stringify({ type: g.type, state: g.state, members: g.members.length, error: g.error && g.error.message }));
  if (g.members.length !== 2) fail('describe shows ' + g.members.length + ' members');
  admin.disconnect();

  await stop(a);
  await stop(b2);
  console.log('ok ' + new Set(seen).size + ' duplicates ' + (seen.length - new Set(seen).size));
  process.exit(0);
})().catch(e => fail(e && e.stack || e));
