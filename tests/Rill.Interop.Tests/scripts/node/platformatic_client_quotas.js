// @platformatic/kafka 1.x admin client: AlterClientQuotas v1 and DescribeClientQuotas v0 (KIP-546) against
// a Rill broker: set user, (user, default client-id) and client-id quotas, read them back with exact,
// default and any-name filters, strict and not, get INVALID_REQUEST for a fractional byte rate, remove them.
const assert = require('assert')
const { Admin, ClientQuotaMatchTypes: Match } = require('@platformatic/kafka')

const [bootstrap, user] = process.argv.slice(2)
const admin = new Admin({ clientId: 'platformatic-quotas', bootstrapBrokers: [bootstrap], retries: 0 })

function protocolError(error) {
  if (error?.apiCode !== undefined) return error
  for (const inner of error?.errors ?? []) {
    const found = protocolError(inner)
    if (found) return found
  }
  for (const value of Object.values(error?.response?.entries ?? {})) {
    if (value?.errorCode) return { apiCode: value.errorCode, message: value.errorMessage }
  }
  return undefined
}

const values = entry => Object.fromEntries(entry.values.map(v => [v.key, v.value]))
const entity = entry => entry.entity.map(e => `${e.entityType}=${e.entityName ?? '<default>'}`).join(',')

async function main() {
  await admin.alterClientQuotas({ entries: [
    { entities: [{ entityType: 'user', entityName: user }], ops: [{ key: 'producer_byte_rate', value: 1048576, remove: false }] },
    { entities: [{ entityType: 'user', entityName: user }, { entityType: 'client-id', entityName: null }],
      ops: [{ key: 'consumer_byte_rate', value: 2097152, remove: false }, { key: 'request_percentage', value: 25.5, remove: false }] },
  ] })

  const exact = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: Match.EXACT, match: user }] })
  assert.deepStrictEqual(exact.map(entity).sort(), [`user=${user}`, `user=${user},client-id=<default>`].sort())
  const strict = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: Match.EXACT, match: user }], strict: true })
  assert.strictEqual(strict.length, 1)
  assert.deepStrictEqual(values(strict[0]), { producer_byte_rate: 1048576 })
  const pair = await admin.describeClientQuotas({ components: [
    { entityType: 'user', matchType: Match.EXACT, match: user }, { entityType: 'client-id', matchType: Match.DEFAULT }] })
  assert.strictEqual(pair.length, 1)
  assert.deepStrictEqual(values(pair[0]), { consumer_byte_rate: 2097152, request_percentage: 25.5 })
  const named = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: Match.ANY }] })
  assert.ok(named.some(e => entity(e) === `user=${user}`), 'ANY finds the named user')

  let refused
  try {
    const result = await admin.alterClientQuotas({ entries: [
      { entities: [{ entityType: 'user', entityName: user }], ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }] }] })
    refused = result.find(r => r.errorCode !== 0)
    if (refused) refused = { apiCode: refused.errorCode, message: refused.errorMessage }
  } catch (error) {
    refused = protocolError(error)
  }
  assert.ok(refused, 'a fractional producer_byte_rate was accepted')
  assert.strictEqual(refused.apiCode, 42) // INVALID_REQUEST

  await admin.alterClientQuotas({ entries: [
    { entities: [{ entityType: 'user', entityName: user }], ops: [{ key: 'producer_byte_rate', remove: true }] },
    { entities: [{ entityType: 'user', entityName: user }, { entityType: 'client-id', entityName: null }],
      ops: [{ key: 'consumer_byte_rate', remove: true }, { key: 'request_percentage', remove: true }] },
  ] })
  const gone = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: Match.EXACT, match: user }] })
  assert.deepStrictEqual(gone, [])
  console.log('ok quotas')
}

main().then(() => admin.close(), async error => { console.error(error); await admin.close(); process.exit(1) })
