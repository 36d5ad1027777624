// kafkajs 2.x over SASL/PLAIN against a Rill broker with ACLs on: bob cannot produce (TOPIC_AUTHORIZATION_FAILED);
// the super user admin grants him WRITE with createAcls, describeAcls lists it, bob produces, deleteAcls
// removes it and reports what it matched, and bob is refused again.
const assert = require('assert')
const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = require('kafkajs')

const [bootstrap, topic] = process.argv.slice(2)
const client = user => new Kafka({
  clientId: 'kafkajs-acls-' + user, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 },
  sasl: { mechanism: 'plain', username: user, password: user + '-pw' },
})

async function produceAs(user) {
  const producer = client(user).producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    await producer.send({ topic, messages: [{ value: 'from ' + user }] })
    return 'OK'
  } catch (e) {
    // kafkajs reports a refused metadata lookup as "Not authorized to access topics: [<Kafka's message for code 29>]".
    if (e.type) return e.type
    if (/Topic authorization failed/.test(e.message)) return 'TOPIC_AUTHORIZATION_FAILED'
    return String(e)
  } finally {
    await producer.disconnect()
  }
}

async function main() {
  const admin = client('admin').admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })

  assert.strictEqual(await produceAs('bob'), 'TOPIC_AUTHORIZATION_FAILED')

  const acl = {
    resourceType: AclResourceTypes.TOPIC, resourceName: topic, resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:bob', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW,
  }
  assert.strictEqual(await admin.createAcls({ acl: [acl] }), true)

  const described = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY,
    principal: 'User:bob', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
  })
  assert.deepStrictEqual(described.resources.map(r => [r.resourceType, r.resourceName, r.resourcePatternType]),
    [[AclResourceTypes.TOPIC, topic, ResourcePatternTypes.LITERAL]])
  assert.deepStrictEqual(described.resources[0].acls, [{ principal: 'User:bob', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW }])

  assert.strictEqual(await produceAs('bob'), 'OK')

  const deleted = await admin.deleteAcls({ filters: [{
    resourceType: AclResourceTypes.TOPIC, resourceName: topic, resourcePatternType: ResourcePatternTypes.MATCH,
    principal: 'User:bob', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
  }] })
  assert.strictEqual(deleted.filterResponses[0].errorCode, 0)
  assert.deepStrictEqual(deleted.filterResponses[0].matchingAcls.map(a => [a.resourceName, a.principal, a.operation]),
    [[topic, 'User:bob', AclOperationTypes.WRITE]])

  assert.strictEqual(await produceAs('bob'), 'TOPIC_AUTHORIZATION_FAILED')
  await admin.disconnect()
  console.log('ok')
}

main().catch(e => { console.error(e); process.exit(1) })
