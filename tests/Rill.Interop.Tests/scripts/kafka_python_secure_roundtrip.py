# kafka-python with the client arguments given as JSON (security_protocol, sasl_mechanism, ...):
# produce 20 records, read them back, print them comma separated.
# Usage: kafka_python_secure_roundtrip.py <json config> <topic>
import sys, json
from kafka import KafkaProducer, KafkaConsumer

conf = json.loads(sys.argv[1]); topic = sys.argv[2]
# kafka-python probes the broker version in 2 s by default: a TLS + SASL handshake on a loaded machine can take longer.
conf.setdefault("api_version_auto_timeout_ms", 30000)
p = KafkaProducer(**conf)
for i in range(20):
    p.send(topic, b"v%d" % i)
p.flush(30)
c = KafkaConsumer(topic, auto_offset_reset="earliest", consumer_timeout_ms=10000, **conf)
got = []
for m in c:
    got.append(m.value.decode())
    if len(got) == 20:
        break
c.close()
print(",".join(got))
