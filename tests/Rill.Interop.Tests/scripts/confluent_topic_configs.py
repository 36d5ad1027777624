"""confluent-kafka-python AdminClient: CreateTopics with topic configs. Unknown names and bad values
come back as INVALID_CONFIG with a message naming the config; valid overrides create the topic."""
import sys
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, prefix = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})

def create(name, config):
    future = admin.create_topics([NewTopic(name, 1, 1, config=config)], operation_timeout=10)[name]
    try:
        future.result(timeout=20)
        return None
    except KafkaException as e:
        return e.args[0]

for config, named in [({'retention.msec': '1000'}, 'retention.ms'),
                      ({'segment.bytes': '100'}, 'segment.bytes'),
                      ({'cleanup.policy': 'archive'}, 'cleanup.policy'),
                      ({'min.cleanable.dirty.ratio': 'half'}, 'min.cleanable.dirty.ratio')]:
    err = create(f'{prefix}-bad-{named}', config)
    assert err is not None, config
    assert err.code() == KafkaError.INVALID_CONFIG, (config, err)
    assert named in err.str(), (config, err.str())

assert create(f'{prefix}-good', {'cleanup.policy': 'compact', 'retention.ms': '60000', 'segment.bytes': '1048576',
                                   'message.timestamp.type': 'LogAppendTime'}) is None
topics = admin.list_topics(timeout=10).topics
assert f'{prefix}-good' in topics, list(topics)
assert not any(t.startswith(f'{prefix}-bad') for t in topics), list(topics)
print('ok')
