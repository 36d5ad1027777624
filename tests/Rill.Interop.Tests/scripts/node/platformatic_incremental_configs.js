// @platformatic/kafka 1.x admin client: IncrementalAlterConfigs (KIP-339) APPEND and SUBTRACT on the list
// config cleanup.policy, and the INVALID_CONFIG answer for APPEND/SUBTRACT on a non-list config, against a
// Rill broker; every effect is read back with DescribeConfigs.
const assert = require('assert')
const { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes: Op } = require('@platformatic/kafka')

const [bootstrap, topic] = process.argv.slice(2)
const admin = new Admin({ clientId: 'platformatic-configs', bootstrapBrokers: [bootstrap], retries: 0 })

async function alter(name, configOperation, value) {
  await admin.incrementalAlterConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs: [{ name, configOperation, value }] }],
  })
}

async function describe(name) {
  const [resource] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: [name] }],
  })
  const entry = resource.configs.find(c => c.name === name)
  return { value: entry.value, source: entry.configSource }
}

// The protocol error somewhere inside the client's nested errors.
function protocolError(error) {
  if (error?.apiCode !== undefined) return error
  for (const inner of error?.errors ?? []) {
    const found = protocolError(inner)
    if (found) return found
  }
  return undefined
}

async function refused(name, op, value) {
  try {
    await alter(name, op, value)
  } catch (error) {
    const found = protocolError(error)
    assert.ok(found, `no protocol error in ${error}`)
    return found
  }
  assert.fail(`${name} op ${op} ${value} was accepted`)
}

async function main() {
  await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })

  await alter('cleanup.policy', Op.APPEND, 'compact') // from Kafka's default "delete"
  assert.deepStrictEqual(await describe('cleanup.policy'), { value: 'delete,compact', source: 1 })
  await alter('cleanup.policy', Op.APPEND, 'compact') // already there: no duplicate
  await alter('cleanup.policy', Op.APPEND, 'delete,compact')
  assert.strictEqual((await describe('cleanup.policy')).value, 'delete,compact')
  await alter('cleanup.policy', Op.SUBTRACT, 'delete')
  assert.strictEqual((await describe('cleanup.policy')).value, 'compact')
  await alter('cleanup.policy', Op.SUBTRACT, 'delete') // not there: no change
  assert.strictEqual((await describe('cleanup.policy')).value, 'compact')
  await alter('cleanup.policy', Op.APPEND, 'delete')
  assert.strictEqual((await describe('cleanup.policy')).value, 'compact,delete')
  await alter('cleanup.policy', Op.DELETE, null)
  assert.deepStrictEqual(await describe('cleanup.policy'), { value: 'delete', source: 5 })

  for (const op of [Op.APPEND, Op.SUBTRACT]) {
    const error = await refused('retention.ms', op, '1000')
    assert.strictEqual(error.apiId, 'INVALID_CONFIG')
    assert.match(error.serverErrorMessage, /retention\.ms/)
  }
  assert.strictEqual((await refused('cleanup.policy', Op.APPEND, 'shred')).apiId, 'INVALID_CONFIG')
  assert.deepStrictEqual(await describe('retention.ms'), { value: '604800000', source: 5 })
  assert.deepStrictEqual(await describe('cleanup.policy'), { value: 'delete', source: 5 })
  console.log('ok incremental')
}

main().then(() => admin.close()).catch(async error => {
  console.error(error)
  for (const e of error.errors ?? []) console.error(e, e.errors)
  await admin.close()
  process.exit(1)
})
