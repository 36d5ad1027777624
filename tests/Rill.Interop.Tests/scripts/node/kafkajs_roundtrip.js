// kafkajs 2.x: create a topic, produce keyed messages with headers (idempotent), read offsets with
// the admin client, then fetch the partitions by assignment through kafkajs's own Fetch
// implementation (its consumer needs consumer groups, which come with the next issue).
const assert = require('assert')
const { Kafka, logLevel, CompressionTypes } = require('kafkajs')
const Cluster = require('kafkajs/src/cluster')
const { createLogger, LEVELS } = require('kafkajs/src/loggers')
const logCreator = () => () => {}
const socketFactory = require('kafkajs/src/network/socketFactory')

const [bootstrap, topic] = process.argv.slice(2)
const kafka = new Kafka({ clientId: 'kafkajs-interop', brokers: [bootstrap], logLevel: logLevel.ERROR })

async function main() {
  const admin = kafka.admin()
  await admin.connect()
  assert.ok(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true }))
  const described = await admin.fetchTopicMetadata({ topics: [topic] })
  assert.strictEqual(described.topics[0].partitions.length, 3)

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const sent = []
  for (let batch = 0; batch < 10; batch++) {
    const messages = []
    for (let i = 0; i < 30; i++) {
      const n = batch * 30 + i
      messages.push({ key: `rider-${n % 11}`, value: `pos-${n}`, partition: n % 3, headers: { n: String(n) } })
    }
    const results = await producer.send({ topic, acks: -1, messages, compression: CompressionTypes.GZIP })
    for (const r of results) assert.strictEqual(r.errorCode, 0)
    sent.push(...messages)
  }
  await producer.disconnect()

  const offsets = await admin.fetchTopicOffsets(topic)
  for (const o of offsets) {
    assert.strictEqual(Number(o.low), 0)
    assert.strictEqual(Number(o.high), 100)
  }
  await admin.disconnect()

  const cluster = new Cluster({
    logger: createLogger({ level: LEVELS.ERROR, logCreator }), socketFactory: socketFactory(),
    brokers: [bootstrap], clientId: 'kafkajs-fetch', retry: { retries: 3 }, connectionTimeout: 5000,
    authenticationTimeout: 10000, requestTimeout: 30000, metadataMaxAge: 300000, allowAutoTopicCreation: false,
  })
  await cluster.connect()
  await cluster.addTargetTopic(topic)
  const broker = await cluster.findLeaderForPartitions(topic, [0, 1, 2])
  const leaderId = Object.keys(broker)[0]
  const leader = await cluster.findBroker({ nodeId: leaderId })
  const received = []
  const next = { 0: 0, 1: 0, 2: 0 }
  for (let round = 0; round < 20 && received.length < sent.length; round++) {
    const response = await leader.fetch({
      maxWaitTime: 100, minBytes: 1, maxBytes: 1 << 20,
      topics: [{ topic, partitions: [0, 1, 2].map(p => ({ partition: p, fetchOffset: String(next[p]), maxBytes: 1 << 20 })) }],
    })
    for (const t of response.responses) {
      for (const p of t.partitions) {
        assert.strictEqual(p.errorCode, 0)
        for (const m of p.messages) {
          if (Number(m.offset) < next[p.partition]) continue
          received.push({ partition: p.partition, offset: Number(m.offset), key: m.key.toString(), value: m.value.toString(), n: m.headers.n.toString() })
          next[p.partition] = Number(m.offset) + 1
        }
      }
    }
  }
  await cluster.disconnect()
  assert.strictEqual(received.length, sent.length)
  for (const p of [0, 1, 2]) {
    const mine = received.filter(r => r.partition === p)
    mine.forEach((r, i) => {
      assert.strictEqual(r.offset, i)
      assert.strictEqual(r.value, `pos-${r.n}`)
      assert.strictEqual(r.key, `rider-${Number(r.n) % 11}`)
      assert.strictEqual(Number(r.n) % 3, p)
    })
    const ns = mine.map(r => Number(r.n))
    assert.deepStrictEqual(ns, [...ns].sort((a, b) => a - b))
  }
  console.log('ok', received.length)
}

main().catch(e => { console.error(e); process.exit(1) })
