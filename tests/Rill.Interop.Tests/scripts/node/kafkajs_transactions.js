// kafkajs 2.x transactions: commit, abort, commit (6 / 4 / 2 records over two partitions) read
// back by a read_uncommitted consumer with the markers' offsets skipped (read_committed too with
// the flag); then consume-transform-produce with sendOffsets: the group's offsets commit with
// the transaction and an aborted transaction leaves them where they were.
// Usage: node kafkajs_transactions.js <bootstrap> <prefix> [read_committed]
const assert = require('assert')
const { Kafka, logLevel } = require('kafkajs')

const [bootstrap, prefix, mode] = process.argv.slice(2)
const topic = prefix + '-out'
const source = prefix + '-in'
const sink = prefix + '-sink'
const kafka = new Kafka({ clientId: 'kafkajs-txn', brokers: [bootstrap], logLevel: logLevel.NOTHING })

async function transactionalProducer(id) {
  const p = kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 })
  await p.connect()
  return p
}

async function readAll(readUncommitted, expected, group) {
  const consumer = kafka.consumer({ groupId: group, readUncommitted })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const seen = []
  await consumer.run({ eachMessage: async ({ partition, message }) => { seen.push([partition, Number(message.offset), message.value.toString()]) } })
  const deadline = Date.now() + 60000
  while (seen.length < expected && Date.now() < deadline) await new Promise(r => setTimeout(r, 100))
  await new Promise(r => setTimeout(r, 2000)) // a record too many would arrive here
  await consumer.disconnect()
  return seen
}

async function main() {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [topic, source, sink].map(t => ({ topic: t, numPartitions: 2 })), waitForLeaders: true })

  const p = await transactionalProducer(prefix + '-tx')
  const rounds = [[6, true], [4, false], [2, true]]
  for (let n = 0; n < rounds.length; n++) {
    const [count, commit] = rounds[n]
    const txn = await p.transaction()
    const messages = []
    for (let i = 0; i < count; i++) messages.push({ value: `t${n}-${i}`, partition: i % 2 })
    await txn.send({ topic, messages })
    if (commit) await txn.commit()
    else await txn.abort()
  }
  const uncommitted = await readAll(true, 12, prefix + '-ru')
  assert.strictEqual(uncommitted.length, 12, JSON.stringify(uncommitted))
  const p0 = uncommitted.filter(r => r[0] === 0).sort((a, b) => a[1] - b[1])
  assert.deepStrictEqual(p0.map(r => r[1]), [0, 1, 2, 4, 5, 7])
  assert.deepStrictEqual(p0.map(r => r[2]), ['t0-0', 't0-2', 't0-4', 't1-0', 't1-2', 't2-0'])
  console.log('ok uncommitted ' + uncommitted.length)
  if (mode === 'read_committed') {
    const committed = await readAll(false, 8, prefix + '-rc')
    assert.deepStrictEqual(committed.map(r => r[2]).sort(), ['t0-0', 't0-1', 't0-2', 't0-3', 't0-4', 't0-5', 't2-0', 't2-1'])
    console.log('ok committed ' + committed.length)
  }

  // consume-transform-produce: the offsets go in the transaction.
  const seed = kafka.producer()
  await seed.connect()
  await seed.send({ topic: source, messages: [...Array(10).keys()].map(i => ({ value: `in-${i}`, partition: i % 2 })) })
  await seed.disconnect()
  const group = prefix + '-ctp'
  const ctp = await transactionalProducer(prefix + '-ctp')
  const txn = await ctp.transaction()
  await txn.send({ topic: sink, messages: [...Array(10).keys()].map(i => ({ value: `IN-${i}`, partition: i % 2 })) })
  await txn.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [{ partition: 0, offset: '5' }, { partition: 1, offset: '5' }] }] })
  await txn.commit()
  const fetchOffsets = async () => (await admin.fetchOffsets({ groupId: group, topics: [source] }))[0].partitions
    .sort((a, b) => a.partition - b.partition).map(p => p.offset)
  // The offsets are visible once the commit marker is written (kafkajs does not ask for stable offsets).
  const until = async want => {
    const deadline = Date.now() + 30000
    let got
    while (JSON.stringify(got = await fetchOffsets()) !== JSON.stringify(want) && Date.now() < deadline) await new Promise(r => setTimeout(r, 100))
    assert.deepStrictEqual(got, want)
  }
  await until(['5', '5'])
  const aborted = await ctp.transaction()
  await aborted.send({ topic: sink, messages: [{ value: 'aborted', partition: 0 }] })
  await aborted.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [{ partition: 0, offset: '9' }] }] })
  await aborted.abort()
  // A later committed transaction moves partition 1 only: once it is visible the abort was decided
  // before it, and partition 0 must still be at 5.
  const later = await ctp.transaction()
  await later.send({ topic: sink, messages: [{ value: 'later', partition: 1 }] })
  await later.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [{ partition: 1, offset: '6' }] }] })
  await later.commit()
  await until(['5', '6'])
  console.log('ok consume-transform-produce 5,6')
  await ctp.disconnect()
  await p.disconnect()
  await admin.disconnect()
}

main().then(() => process.exit(0), e => { console.error('FAIL', e); process.exit(1) })
