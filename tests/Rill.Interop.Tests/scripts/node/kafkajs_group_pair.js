// Two kafkajs consumers in one group on a 4-partition topic: assignments disjoint and complete,
// every record consumed exactly once (offsets committed after each message); when one
// disconnects the other takes over its partitions, and when a member in a child process is
// SIGKILLed the survivor gets its partitions after the session timeout.
const { Kafka, logLevel } = require('kafkajs')
const [bootstrap, topic, role] = process.argv.slice(2)
const kafka = new Kafka({ clientId: 'kafkajs-pair', brokers: [bootstrap], logLevel: logLevel.ERROR })
const sleep = ms => new Promise(r => setTimeout(r, ms))
const deadline = Date.now() + 120000
async function until (what, check) {
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out: ' + what)
    await sleep(100)
  }
}
;(async () => {
  if (role === 'child') {
    const consumer = kafka.consumer({ groupId: topic + '-group', sessionTimeout: 10000, heartbeatInterval: 500, rebalanceTimeout: 10000 })
    consumer.on(consumer.events.GROUP_JOIN, e => console.log('assigned ' + JSON.stringify(e.payload.memberAssignment[topic] || [])))
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })
    return
  }
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: Array.from({ length: 200 }, (_, i) => ({ partition: i % 4, value: String(i) })) })
  await producer.disconnect()

  const seen = new Map()
  const assigned = {}
  function start (name) {
    const consumer = kafka.consumer({ groupId: topic + '-group', sessionTimeout: 10000, heartbeatInterval: 500, rebalanceTimeout: 10000 })
    consumer.on(consumer.events.GROUP_JOIN, e => { assigned[name] = (e.payload.memberAssignment[topic] || []).slice().sort() })
    return consumer.connect()
      .then(() => consumer.subscribe({ topic, fromBeginning: true }))
      .then(() => consumer.run({
        eachMessage: async ({ partition, message }) => {
          const key = partition + ':' + message.offset
          if (seen.has(key)) throw new Error('consumed twice ' + key)
          seen.set(key, Number(message.value.toString()))
        }
      }))
      .then(() => consumer)
  }
  const a = await start('a')
  const b = await start('b')
  await until('two members share', () => (assigned.a || []).length === 2 && (assigned.b || []).length === 2)
  const all = new Set([...assigned.a, ...assigned.b])
  if (all.size !== 4) throw new Error('overlap ' + JSON.stringify(assigned))
  await until('every record', () => seen.size === 200)
  await b.disconnect()
  await until('a takes over', () => (assigned.a || []).length === 4)

  const child = require('child_process').spawn(process.execPath, [__filename, bootstrap, topic, 'child'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let childAssigned = false
  child.stdout.on('data', d => { if (/assigned \[\d/.test(d.toString())) childAssigned = true })
  await until('the child shares', () => childAssigned && (assigned.a || []).length === 2)
  child.kill('SIGKILL')
  await until('a takes over after the kill', () => (assigned.a || []).length === 4)
  await a.disconnect()
  const values = [...seen.values()].sort((x, y) => x - y)
  if (values.length !== 200 || values[199] !== 199) throw new Error('wrong values')
  console.log('ok', seen.size, JSON.stringify(assigned))
})().catch(e => { console.error(e); process.exit(1) })
