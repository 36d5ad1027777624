"""confluent-kafka-python AdminClient (librdkafka) against a Rill broker: create topics with configs,
describe configs (topic and broker, with synonyms and sources), alter configs (topic and dynamic
broker), create partitions; each change observed through a Producer / Consumer: max.message.bytes
(MSG_SIZE_TOO_LARGE), message.timestamp.type=LogAppendTime (timestamps consumers see),
message.timestamp.before.max.ms (INVALID_TIMESTAMP), dynamic broker message.max.bytes."""
import sys, time
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaError, KafkaException, TIMESTAMP_LOG_APPEND_TIME, TIMESTAMP_CREATE_TIME
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource, ConfigSource

bootstrap, prefix = sys.argv[1], sys.argv[2]
topic, plain = f'{prefix}-configs', f'{prefix}-plain'
admin = AdminClient({'bootstrap.servers': bootstrap})

for f in admin.create_topics([NewTopic(topic, 1, 1, config={'retention.ms': '60000', 'segment.bytes': '1048576'}),
                              NewTopic(plain, 1, 1)], operation_timeout=10).values():
    f.result(timeout=20)


def describe(kind, name):
    resource = ConfigResource(kind, name)
    return admin.describe_configs([resource], request_timeout=20)[resource].result(timeout=30)


def alter(kind, name, configs):
    resource = ConfigResource(kind, name, set_config=configs)
    admin.alter_configs([resource], request_timeout=20)[resource].result(timeout=30)


configs = describe(ConfigResource.Type.TOPIC, topic)
assert len(configs) >= 30, len(configs)
retention = configs['retention.ms']
assert retention.value == '60000' and retention.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value, retention
assert not retention.is_read_only and not retention.is_sensitive and not retention.is_default
assert configs['segment.bytes'].value == '1048576'
compression = configs['compression.type']
assert compression.value == 'producer' and compression.source == ConfigSource.DEFAULT_CONFIG.value, compression

broker = describe(ConfigResource.Type.BROKER, '1')
assert broker['message.max.bytes'].value == '1048588', broker['message.max.bytes']
assert broker['listeners'].is_read_only and not broker['message.max.bytes'].is_read_only
assert broker['ssl.key.password'].is_sensitive and broker['ssl.key.password'].value is None

# Unknown config: INVALID_CONFIG naming it.
try:
    alter(ConfigResource.Type.TOPIC, topic, {'retention.msec': '1'})
    raise AssertionError('an unknown config was accepted')
except KafkaException as e:
    assert e.args[0].code() == KafkaError.INVALID_CONFIG and 'retention.ms' in e.args[0].str(), e

deliveries = []


def produce(name, value, timestamp=0, partition=0):
    producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'retries': 0, 'linger.ms': 0})
    producer.produce(name, key=b'k', value=value, partition=partition, timestamp=timestamp,
                     on_delivery=lambda err, msg: deliveries.append((err, msg)))
    assert producer.flush(30) == 0
    err, msg = deliveries.pop()
    return err, msg


assert produce(topic, b'x' * 5000)[0] is None
alter(ConfigResource.Type.TOPIC, topic, {'max.message.bytes': '1000', 'retention.ms': '60000'})
err, _ = produce(topic, b'x' * 5000)
assert err is not None and err.code() == KafkaError.MSG_SIZE_TOO_LARGE, err

# LogAppendTime: the broker's clock replaces the producer's timestamp.
old = int(time.time() * 1000) - 3_600_000
err, created_time = produce(topic, b'old-create-time', timestamp=old)
assert err is None and created_time.timestamp() == (TIMESTAMP_CREATE_TIME, old), (err, created_time.timestamp())
alter(ConfigResource.Type.TOPIC, topic, {'max.message.bytes': '1000', 'message.timestamp.type': 'LogAppendTime'})
before = int(time.time() * 1000)
err, appended = produce(topic, b'log-append-time', timestamp=old)
assert err is None, err
assert appended.timestamp()[0] == TIMESTAMP_LOG_APPEND_TIME and appended.timestamp()[1] >= before - 1000, appended.timestamp()

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': f'{prefix}-reader', 'enable.auto.commit': False})
consumer.assign([TopicPartition(topic, 0, created_time.offset())])
seen = []
deadline = time.time() + 30
while len(seen) < 2 and time.time() < deadline:
    m = consumer.poll(1.0)
    if m is not None and m.error() is None:
        seen.append(m)
consumer.close()
assert [m.value() for m in seen] == [b'old-create-time', b'log-append-time'], [m.value() for m in seen]
assert seen[0].timestamp() == (TIMESTAMP_CREATE_TIME, old), seen[0].timestamp()
assert seen[1].timestamp() == appended.timestamp(), (seen[1].timestamp(), appended.timestamp())

# Timestamp bounds on a CreateTime topic.
alter(ConfigResource.Type.TOPIC, plain, {'message.timestamp.before.max.ms': '60000'})
err, _ = produce(plain, b'too-old', timestamp=old)
assert err is not None and err.code() == KafkaError.INVALID_TIMESTAMP, err
assert produce(plain, b'recent')[0] is None

# A dynamic broker config reaches topics without an override, and shows as their source.
alter(ConfigResource.Type.BROKER, '1', {'message.max.bytes': '2000'})
plain_configs = describe(ConfigResource.Type.TOPIC, plain)
assert plain_configs['max.message.bytes'].value == '2000', plain_configs['max.message.bytes']
assert plain_configs['max.message.bytes'].source == ConfigSource.DYNAMIC_BROKER_CONFIG.value, plain_configs['max.message.bytes']
assert describe(ConfigResource.Type.BROKER, '1')['message.max.bytes'].source == ConfigSource.DYNAMIC_BROKER_CONFIG.value
err, _ = produce(plain, b'y' * 3000)
assert err is not None and err.code() == KafkaError.MSG_SIZE_TOO_LARGE, err
alter(ConfigResource.Type.BROKER, '1', {})  # AlterConfigs replaces: no dynamic values left
assert describe(ConfigResource.Type.TOPIC, plain)['max.message.bytes'].value == '1048588'
assert produce(plain, b'y' * 3000)[0] is None

# More partitions, visible to Metadata and usable at once; a lower count is refused.
admin.create_partitions([NewPartitions(plain, 4)], operation_timeout=10)[plain].result(timeout=30)
assert len(admin.list_topics(plain, timeout=10).topics[plain].partitions) == 4
try:
    admin.create_partitions([NewPartitions(plain, 2)], operation_timeout=10)[plain].result(timeout=30)
    raise AssertionError('the partition count went down')
except KafkaException as e:
    assert e.args[0].code() == KafkaError.INVALID_PARTITIONS, e
err, msg = produce(plain, b'on-partition-3', partition=3)
assert err is None and (msg.partition(), msg.offset()) == (3, 0), (err, msg)
print('ok')
