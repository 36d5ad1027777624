"""kafka-python (Debian python3-kafka 2.0.x) KafkaAdminClient against a Rill broker: create topics
with configs, describe configs (topic and broker, with synonyms), alter configs, create partitions,
describe cluster; each change observed in behaviour through KafkaProducer / KafkaConsumer."""
import sys, time
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic, NewPartitions, ConfigResource, ConfigResourceType
from kafka.errors import MessageSizeTooLargeError, InvalidPartitionsError, KafkaError

bootstrap, prefix = sys.argv[1], sys.argv[2]
topic = f'{prefix}-configs'
admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=20000)

created = admin.create_topics([NewTopic(topic, 1, 1, topic_configs={'retention.ms': '60000', 'cleanup.policy': 'delete'})])
assert all(e[1] == 0 for e in created.topic_errors), created


def topic_configs(names=None):
    resource = ConfigResource(ConfigResourceType.TOPIC, topic, configs=dict.fromkeys(names) if names else None)
    response = admin.describe_configs([resource], include_synonyms=True)[0]
    error_code, error_message, _, name, entries = response.resources[0]
    assert error_code == 0 and name == topic, (error_code, error_message)
    # v1+: (name, value, read_only, config_source, is_sensitive, synonyms)
    return {e[0]: e for e in entries}


configs = topic_configs()
assert len(configs) >= 30, len(configs)
name, value, read_only, source, sensitive, synonyms = configs['retention.ms']
assert (value, read_only, source, sensitive) == ('60000', False, 1, False), configs['retention.ms']
assert synonyms[0] == ('retention.ms', '60000', 1) and ('log.retention.hours', '168', 5) in synonyms, synonyms
assert configs['segment.bytes'][1:4] == ('1073741824', False, 5), configs['segment.bytes']

broker = admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, '1')])[0].resources[0]
assert broker[0] == 0, broker[:2]
broker_configs = {e[0]: e for e in broker[4]}
assert broker_configs['message.max.bytes'][1] == '1048588', broker_configs['message.max.bytes']
assert broker_configs['listeners'][2] is True, broker_configs['listeners']  # read-only

# A producer that can send 5 kB records, then the topic limit comes down to 1000 bytes.
producer = KafkaProducer(bootstrap_servers=bootstrap, acks='all', retries=0)
producer.send(topic, key=b'k', value=b'x' * 5000).get(timeout=20)
altered = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={'max.message.bytes': '1000'})])
assert altered.resources[0][0] == 0, altered
configs = topic_configs(['max.message.bytes', 'retention.ms'])
assert configs['max.message.bytes'][1:4] == ('1000', False, 1), configs['max.message.bytes']
assert configs['retention.ms'][3] == 5, configs['retention.ms']  # AlterConfigs replaces: the override is gone
try:
    producer.send(topic, key=b'k', value=b'x' * 5000).get(timeout=20)
    raise AssertionError('a 5 kB record was accepted after max.message.bytes=1000')
except MessageSizeTooLargeError:
    pass
producer.send(topic, key=b'k', value=b'small').get(timeout=20)

bad = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={'max.message.bytes': 'lots'})])
assert bad.resources[0][0] == 40 and 'max.message.bytes' in bad.resources[0][1], bad  # INVALID_CONFIG

# More partitions: visible to a new producer and consumer; fewer is refused.
grown = admin.create_partitions({topic: NewPartitions(3)})
assert grown.topic_errors[0][1] == 0, grown
try:
    admin.create_partitions({topic: NewPartitions(2)})
    raise AssertionError('the partition count went down')
except InvalidPartitionsError as e:
    assert 'higher than the requested 2' in str(e), e
assert len(admin.describe_topics([topic])[0]['partitions']) == 3
producer2 = KafkaProducer(bootstrap_servers=bootstrap, acks='all')
meta = producer2.send(topic, key=b'p2', value=b'on-new-partition', partition=2).get(timeout=20)
assert (meta.partition, meta.offset) == (2, 0), meta
producer2.close()
producer.close()

consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=10000)
consumer.assign([TopicPartition(topic, 2)])
consumer.seek_to_beginning()
got = next(iter(consumer))
assert got.value == b'on-new-partition', got
consumer.close()

cluster = admin.describe_cluster()
assert cluster['controller_id'] == 1 and cluster['brokers'][0]['node_id'] == 1, cluster
admin.close()
print('ok')
