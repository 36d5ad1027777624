// librdkafka 2.15 (KIP-320) consuming one partition of a Rill cluster across a leader change: after the new
// leader's epoch shows up in its metadata, librdkafka validates its position with OffsetForLeaderEpoch before
// fetching on. Prints "offset value" per record, writes <phase-file> once <first> records are read, and ends
// with "ofle <n>": how many OffsetForLeaderEpoch exchanges librdkafka's protocol log shows.
// Usage: node consume_across_leader_change.js <bootstrap> <topic> <expected> <first> <phase-file>
'use strict';
const fs = require('fs');
const Kafka = require('@confluentinc/kafka-javascript');

const [bootstrap, topic, expectedArg, firstArg, phaseFile] = process.argv.slice(2);
const expected = Number(expectedArg);
const first = Number(firstArg);
const deadline = Date.now() + 100_000;
let ofle = 0;

const consumer = new Kafka.KafkaConsumer({
  'bootstrap.servers': bootstrap,
  'group.id': topic + '-ckjs',
  'enable.auto.commit': false,
  'topic.metadata.refresh.interval.ms': 1000,
  'debug': 'protocol',
}, { 'auto.offset.reset': 'earliest' });

consumer.on('event.log', log => {
  if (/OffsetForLeaderEpoch/.test(log.message)) {
    ofle++;
    console.error(log.message);
  }
});

function consume(n) {
  return new Promise((resolve, reject) => consumer.consume(n, (err, messages) => (err ? reject(err) : resolve(messages))));
}

async function main() {
  await new Promise((resolve, reject) => consumer.connect({ timeout: 20000 }, err => (err ? reject(err) : resolve())));
  consumer.assign([{ topic, partition: 0, offset: 0 }]);
  consumer.setDefaultConsumeTimeout(200);
  let read = 0;
  while (read < expected) {
    if (Date.now() > deadline) throw new Error(`timed out after ${read} records`);
    for (const m of await consume(100)) {
      console.log(`${m.offset} ${m.value.toString()}`);
      read++;
      if (read === first) fs.writeFileSync(phaseFile, 'read');
    }
  }
  console.log(`ofle ${ofle / 2}`); // each exchange logs a "Sent" and a "Received" line
  await new Promise(resolve => consumer.disconnect(resolve));
}

main().catch(e => {
  console.error('FAIL ' + (e && e.message ? e.message : e));
  process.exit(1);
});
