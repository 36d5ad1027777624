// kafkajs 2.x against a Rill cluster: COUNT records to partition 0 with acks=-1 (idempotent, one request in flight,
// one record per send, PAUSE_MS between sends), retrying through a leader failover with kafkajs's own retry logic.
// Prints "acked 0 OFFSET VALUE" per acknowledged record, "error MESSAGE" per send that failed after its retries.
// usage: node kafkajs_produce.js NODE_MODULES BOOTSTRAP TOPIC COUNT PREFIX PAUSE_MS
const path = require('path')
const [modules, bootstrap, topic, count, prefix, pauseMs] = process.argv.slice(2)
const { Kafka, logLevel } = require(path.join(modules, 'kafkajs'))

const kafka = new Kafka({ clientId: 'kafkajs-cluster', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING,
  retry: { initialRetryTime: 100, retries: 10, maxRetryTime: 2000 } })

async function main() {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  for (let i = 0; i < Number(count); i++) {
    const value = `${prefix}-${i}`
    try {
      const [result] = await producer.send({ topic, acks: -1, timeout: 10000, messages: [{ value, partition: 0 }] })
      console.log(`acked ${result.partition} ${result.baseOffset} ${value}`)
    } catch (e) {
      console.log(`error ${e.message}`)
    }
    await new Promise(r => setTimeout(r, Number(pauseMs)))
  }
  await producer.disconnect()
}

main().catch(e => { console.error(e); process.exit(1) })
