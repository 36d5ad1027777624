// @confluentinc/kafka-javascript (librdkafka 2.15) with the security properties given as JSON:
// produce ten records, read them back with a consumer group. librdkafka 2.15 re-authenticates
// (KIP-368) when the broker sets a session lifetime.
// Usage: node sasl_roundtrip.js <json config> <topic>
'use strict';
const Kafka = require('@confluentinc/kafka-javascript');

const [json, topic] = process.argv.slice(2);
const conf = JSON.parse(json);
const deadline = Date.now() + 90_000;
const fail = message => { console.error('FAIL ' + message); process.exit(1); };
const connect = client => new Promise((resolve, reject) => client.connect({ timeout: 20000 }, err => (err ? reject(err) : resolve())));
const sleep = ms => new Promise(r => setTimeout(r, ms));

(async () => {
  const producer = new Kafka.Producer({ ...conf, 'dr_cb': true, 'acks': 'all' });
  await connect(producer);
  let delivered = 0;
  producer.on('delivery-report', err => { if (err) fail('delivery: ' + err.message); delivered++; });
  producer.setPollInterval(20);
  for (let i = 0; i < 10; i++) producer.produce(topic, null, Buffer.from('v' + i));
  while (delivered < 10) {
    if (Date.now() > deadline) fail('deliveries timed out');
    await sleep(20);
  }
  await new Promise(r => producer.disconnect(r));

  const consumer = new Kafka.KafkaConsumer({ ...conf, 'group.id': topic + '-group' }, { 'auto.offset.reset': 'earliest' });
  await connect(consumer);
  consumer.subscribe([topic]);
  const got = [];
  while (got.length < 10) {
    if (Date.now() > deadline) fail('consume timed out with ' + got.length);
    const messages = await new Promise((resolve, reject) => consumer.consume(10, (err, m) => (err ? reject(err) : resolve(m))));
    for (const m of messages) got.push(m.value.toString());
  }
  await new Promise(r => consumer.disconnect(r));
  if (got.join(',') !== Array.from({ length: 10 }, (_, i) => 'v' + i).join(',')) fail('got ' + got.join(','));
  console.log('ok ' + got.length);
  process.exit(0);
})().catch(e => fail(e.message || String(e)));
