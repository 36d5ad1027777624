// KIP-467 with librdkafka 2.15: one batch to a compacted topic where some records have no key. The
// broker names those records (INVALID_RECORD with record_errors); librdkafka fails exactly them with
// INVALID_RECORD and the other records of the batch with ERR__INVALID_DIFFERENT_RECORD. Then a keyed
// batch is delivered, and the topic holds only its records.
// Usage: node record_errors.js <bootstrap> <topic>
'use strict';
const Kafka = require('@confluentinc/kafka-javascript');

const [bootstrap, topic] = process.argv.slice(2);
const deadline = Date.now() + 90_000;
const sleep = ms => new Promise(r => setTimeout(r, ms));
const fail = message => { console.error('FAIL ' + message); process.exit(1); };
const connect = client => new Promise((resolve, reject) => client.connect({ timeout: 20000 }, err => (err ? reject(err) : resolve())));

(async () => {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': bootstrap });
  await new Promise((resolve, reject) => admin.createTopic(
    { topic, num_partitions: 1, replication_factor: 1, config: { 'cleanup.policy': 'compact' } },
    err => (err ? reject(err) : resolve())));
  admin.disconnect();

  const producer = new Kafka.Producer({ 'bootstrap.servers': bootstrap, 'dr_cb': true, 'linger.ms': 1000, 'acks': 'all' });
  await connect(producer);
  const reports = new Map();
  producer.on('delivery-report', (err, report) => reports.set(report.opaque, err ? err.code : 0));
  producer.setPollInterval(20);
  const keys = ['k0', null, 'k2', null, 'k4', 'k5'];
  keys.forEach((key, i) => producer.produce(topic, 0, Buffer.from('v' + i), key === null ? null : Buffer.from(key), Date.now(), i));
  while (reports.size < keys.length) {
    if (Date.now() > deadline) fail('deliveries timed out: ' + JSON.stringify([...reports]));
    await sleep(20);
  }
  const codes = keys.map((_, i) => reports.get(i));
  console.log('codes ' + codes.join(','));
  const INVALID_RECORD = Kafka.CODES.ERRORS.ERR_INVALID_RECORD;
  const DIFFERENT = Kafka.CODES.ERRORS.ERR__INVALID_DIFFERENT_RECORD;
  keys.forEach((key, i) => {
    const expected = key === null ? INVALID_RECORD : DIFFERENT;
    if (codes[i] !== expected) fail(`record ${i} (key ${key}): code ${codes[i]}, expected ${expected}`);
  });

  reports.clear();
  producer.produce(topic, 0, Buffer.from('after'), Buffer.from('ka'), Date.now(), 100);
  while (!reports.has(100)) {
    if (Date.now() > deadline) fail('keyed delivery timed out');
    await sleep(20);
  }
  if (reports.get(100) !== 0) fail('keyed record failed: ' + reports.get(100));
  const offsets = await new Promise((resolve, reject) =>
    producer.queryWatermarkOffsets(topic, 0, 10000, (err, o) => (err ? reject(err) : resolve(o))));
  if (offsets.highOffset !== 1) fail('high watermark ' + offsets.highOffset + ', expected 1 (nothing of the bad batch appended)');
  producer.disconnect();
  console.log('ok record errors');
})().catch(e => fail(e && e.stack ? e.stack : String(e)));
