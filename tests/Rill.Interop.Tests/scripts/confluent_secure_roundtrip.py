# confluent-kafka-python (librdkafka) with the client properties given as JSON: produce 20 records,
# read them back with a consumer group, print them comma separated. With "oauth.token" in the JSON
# the token is handed to librdkafka through oauth_cb (OAUTHBEARER).
# Usage: confluent_secure_roundtrip.py <json config> <topic>
import sys, json, time
from confluent_kafka import Producer, Consumer

conf = json.loads(sys.argv[1]); topic = sys.argv[2]
token = conf.pop("oauth.token", None)
if token is not None:
    conf["oauth_cb"] = lambda _config: (token, time.time() + 300)
p = Producer(conf)
for i in range(20):
    p.produce(topic, value=b"v%d" % i)
left = p.flush(30)
if left != 0:
    print("undelivered %d" % left, file=sys.stderr); sys.exit(1)
c = Consumer(dict(conf, **{"group.id": "g-" + topic, "auto.offset.reset": "earliest"}))
c.subscribe([topic])
got = []
deadline = time.time() + 30
while len(got) < 20 and time.time() < deadline:
    m = c.poll(1.0)
    if m is not None and m.error() is None:
        got.append(m.value().decode())
c.close()
print(",".join(got))
