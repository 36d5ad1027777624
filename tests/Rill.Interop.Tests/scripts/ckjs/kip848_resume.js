// KIP-848 across a broker restart. "commit": produce 100 records, consume them with synchronous
// commits as a consumer-protocol member, then exit without leaving the group. "resume" (after the
// broker restarted): produce 50 more; a new member of the same group must receive exactly those 50,
// starting from the committed offsets.
// Usage: node kip848_resume.js <bootstrap> <topic> <group> commit|resume
'use strict';
const Kafka = require('@confluentinc/kafka-javascript');

const [bootstrap, topic, group, phase] = process.argv.slice(2);
const deadline = Date.now() + 120_000;
const sleep = ms => new Promise(r => setTimeout(r, ms));

function fail(message) {
  console.error('FAIL ' + message);
  process.exit(1);
}

function connect(client) {
  return new Promise((resolve, reject) => client.connect({ timeout: 20000 }, err => (err ? reject(err) : resolve())));
}

async function produce(from, count) {
  const producer = new Kafka.Producer({ 'bootstrap.servers': bootstrap, 'dr_cb': true, 'enable.idempotence': true });
  await connect(producer);
  let delivered = 0;
  producer.on('delivery-report', err => { if (err) fail('delivery ' + err); delivered++; });
  producer.setPollInterval(50);
  for (let i = from; i < from + count; i++) {
    producer.produce(topic, i % 2, Buffer.from('v' + i), Buffer.from('k' + i));
  }
  while (delivered < count) {
    if (Date.now() > deadline) fail('deliveries timed out');
    await sleep(50);
  }
  producer.disconnect();
}

(async () => {
  if (phase === 'commit') {
    const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap });
    await new Promise((resolve, reject) =>
      admin.createTopic({ topic, num_partitions: 2, replication_factor: 1 }, 20000, err => (err ? reject(err) : resolve())));
    admin.disconnect();
  }
  const [from, count] = phase === 'commit' ? [0, 100] : [100, 50];
  await produce(from, count);

  const c = new Kafka.KafkaConsumer({
    'bootstrap.servers': bootstrap, 'group.id': group, 'group.protocol': 'consumer', 'enable.auto.commit': false,
  }, { 'auto.offset.reset': 'earliest' });
  await connect(c);
  c.setDefaultConsumeTimeout(100);
  c.subscribe([topic]);
  const seen = [];
  while (seen.length < count) {
    if (Date.now() > deadline) fail('consumed ' + seen.length + ' of ' + count);
    const messages = await new Promise(resolve => c.consume(50, (err, m) => resolve(err ? [] : m)));
    for (const m of messages) {
      seen.push(Number(m.value.toString().slice(1)));
      c.commitSync({ topic: m.topic, partition: m.partition, offset: m.offset + 1 });
    }
  }
  await sleep(1000);
  const extra = await new Promise(resolve => c.consume(50, (err, m) => resolve(err ? [] : m)));
  const ids = seen.concat(extra.map(m => Number(m.value.toString().slice(1)))).sort((a, b) => a - b);
  const expected = Array.from({ length: count }, (_, i) => from + i);
  if (JSON.stringify(ids) !== JSON.stringify(expected)) fail('got ' + JSON.stringify(ids));
  console.log('ok ' + phase + ' ' + ids.length);
  process.exit(0); // no close: the member does not leave the group
})().catch(e => fail(e && e.stack || e));
