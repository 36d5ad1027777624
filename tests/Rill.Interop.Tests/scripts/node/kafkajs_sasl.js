// kafkajs 2.x over SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), optionally with TLS: produce ten
// records, then read them back with a consumer group.
// Usage: node kafkajs_sasl.js <bootstrap> <topic> <mechanism> <user> <password> [ca.pem]
const assert = require('assert')
const fs = require('fs')
const { Kafka, logLevel } = require('kafkajs')

const [bootstrap, topic, mechanism, username, password, ca] = process.argv.slice(2)
const kafka = new Kafka({
  clientId: 'kafkajs-sasl', brokers: [bootstrap], logLevel: logLevel.NOTHING,
  ssl: ca ? { ca: [fs.readFileSync(ca, 'utf8')], servername: 'localhost' } : false,
  sasl: { mechanism: mechanism.toLowerCase(), username, password },
  retry: { retries: 2 },
})

async function main() {
  const producer = kafka.producer()
  await producer.connect()
  const messages = Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` }))
  await producer.send({ topic, acks: -1, messages })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: `${topic}-group` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const got = []
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with ${got.length} records`)), 60000)
    consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value.toString())
        if (got.length === 10) { clearTimeout(timer); resolve() }
      },
    })
  })
  await consumer.disconnect()
  assert.deepStrictEqual(got, messages.map(m => m.value))
  console.log('ok', got.length)
}

main().catch(e => { console.error(e.message || e); process.exit(1) })
