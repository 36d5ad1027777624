// kafkajs 2.x admin client: describeConfigs (topic and broker, with synonyms), alterConfigs,
// createPartitions and deleteTopicRecords against a Rill broker, with the effects checked through
// fetchTopicOffsets, a producer and the topic metadata.
const assert = require('assert')
const { Kafka, logLevel, ConfigResourceTypes, ConfigSource } = require('kafkajs')

const [bootstrap, topic] = process.argv.slice(2)
const kafka = new Kafka({ clientId: 'kafkajs-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })

async function main() {
  const admin = kafka.admin()
  await admin.connect()
  assert.ok(await admin.createTopics({
    topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '60000' }] }],
    waitForLeaders: true,
  }))

  const described = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }, { type: ConfigResourceTypes.BROKER, name: '1' }],
    includeSynonyms: true,
  })
  const topicEntries = Object.fromEntries(described.resources.find(r => r.resourceType === ConfigResourceTypes.TOPIC).configEntries.map(e => [e.configName, e]))
  assert.strictEqual(topicEntries['retention.ms'].configValue, '60000')
  assert.strictEqual(topicEntries['retention.ms'].configSource, ConfigSource.TOPIC_CONFIG)
  assert.deepStrictEqual(topicEntries['retention.ms'].configSynonyms.map(s => s.configName), ['retention.ms', 'log.retention.hours'])
  const brokerEntries = Object.fromEntries(described.resources.find(r => r.resourceType === ConfigResourceTypes.BROKER).configEntries.map(e => [e.configName, e]))
  assert.strictEqual(brokerEntries['message.max.bytes'].configValue, '1048588')
  assert.strictEqual(brokerEntries['listeners'].readOnly, true)

  const producer = kafka.producer()
  await producer.connect()
  for (let i = 0; i < 5; i++) {
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `v${i}`, partition: 0 }, { key: 'k', value: `w${i}`, partition: 0 }] })
  }

  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] })
  let offsets = await admin.fetchTopicOffsets(topic)
  assert.deepStrictEqual([offsets[0].low, offsets[0].high], ['4', '10'])
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '-1' }] })
  offsets = await admin.fetchTopicOffsets(topic)
  assert.strictEqual(offsets[0].low, '10')

  await admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: '1000' }] }] })
  let refused = null
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'x'.repeat(5000), partition: 0 }] })
  } catch (e) {
    refused = e
  }
  assert.ok(refused && /larger than the max message size|MESSAGE_TOO_LARGE/i.test(`${refused.type} ${refused.message}`), String(refused))

  await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] })
  assert.strictEqual(metadata.topics[0].partitions.length, 3)
  await producer.disconnect()
  await admin.disconnect()
  console.log('ok admin')
}

main().catch(e => { console.error(e); process.exit(1) })
