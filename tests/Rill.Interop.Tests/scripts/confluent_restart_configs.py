"""confluent-kafka-python: topic configs, a dynamic broker config and a partition count set through
AdminClient ('set'), then seen again after rill serve restarts ('check'), in DescribeConfigs and
in what a producer gets back."""
import sys
from confluent_kafka import Producer, KafkaError, TIMESTAMP_LOG_APPEND_TIME
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource, ConfigSource

bootstrap, mode = sys.argv[1], sys.argv[2]
topic = 'kept-configs'
admin = AdminClient({'bootstrap.servers': bootstrap})


def describe(kind, name):
    resource = ConfigResource(kind, name)
    return admin.describe_configs([resource], request_timeout=20)[resource].result(timeout=30)


def alter(kind, name, configs):
    resource = ConfigResource(kind, name, set_config=configs)
    admin.alter_configs([resource], request_timeout=20)[resource].result(timeout=30)


def produce(value):
    deliveries = []
    producer = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'retries': 0})
    producer.produce(topic, value=value, partition=0, on_delivery=lambda err, msg: deliveries.append((err, msg)))
    assert producer.flush(30) == 0
    return deliveries[0]


if mode == 'set':
    admin.create_topics([NewTopic(topic, 1, 1)], operation_timeout=10)[topic].result(timeout=20)
    alter(ConfigResource.Type.TOPIC, topic, {'max.message.bytes': '1000'})
    alter(ConfigResource.Type.BROKER, '1', {'log.message.timestamp.type': 'LogAppendTime'})
    admin.create_partitions([NewPartitions(topic, 2)], operation_timeout=10)[topic].result(timeout=30)

configs = describe(ConfigResource.Type.TOPIC, topic)
assert configs['max.message.bytes'].value == '1000', configs['max.message.bytes']
assert configs['max.message.bytes'].source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
assert configs['message.timestamp.type'].value == 'LogAppendTime', configs['message.timestamp.type']
assert configs['message.timestamp.type'].source == ConfigSource.DYNAMIC_BROKER_CONFIG.value
broker = describe(ConfigResource.Type.BROKER, '1')
assert broker['log.message.timestamp.type'].value == 'LogAppendTime'
assert broker['log.message.timestamp.type'].source == ConfigSource.DYNAMIC_BROKER_CONFIG.value
assert len(admin.list_topics(topic, timeout=10).topics[topic].partitions) == 2
err, _ = produce(b'x' * 5000)
assert err is not None and err.code() == KafkaError.MSG_SIZE_TOO_LARGE, err
err, msg = produce(b'small')
assert err is None and msg.timestamp()[0] == TIMESTAMP_LOG_APPEND_TIME, (err, msg and msg.timestamp())
print('ok')
