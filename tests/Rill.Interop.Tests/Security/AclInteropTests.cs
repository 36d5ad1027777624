using Rill.Broker.Security.Authorization;

namespace Rill.Interop.Tests.Security;

/// <summary>ACLs with independent clients: kafkajs and kafka-python admin ACL calls, librdkafka producers and consumers refused and then allowed.</summary>
public class AclInteropTests(AclBrokerFixture fixture) : IClassFixture<AclBrokerFixture>
{
    private string[] Kcat(string user) =>
        ["-b", fixture.Bootstrap, "-X", "security.protocol=sasl_plaintext", "-X", "sasl.mechanisms=PLAIN",
         "-X", $"sasl.username={user}", "-X", $"sasl.password={user}-pw"];

    private const string PythonCommon = """
import sys, time
from kafka.admin import (KafkaAdminClient, NewTopic, ACL, ACLFilter, ResourcePattern, ResourcePatternFilter,
    ACLOperation, ACLPermissionType, ResourceType, ACLResourcePatternType)
bootstrap, topic = sys.argv[1], sys.argv[2]
def conf(user):
    return dict(bootstrap_servers=bootstrap, security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN",
                sasl_plain_username=user, sasl_plain_password=user + "-pw", api_version_auto_timeout_ms=30000)
""";

    private const string KafkaPythonAcls = PythonCommon + "\n" + """
from kafka import KafkaConsumer
from kafka.errors import GroupAuthorizationFailedError
admin = KafkaAdminClient(**conf("admin"))
admin.create_topics([NewTopic(topic, 1, 1)])
admin.close()
# dave may read the topic but not the group: joining is refused with GROUP_AUTHORIZATION_FAILED.
admin = KafkaAdminClient(**conf("admin"))
topic_read = ACL("User:dave", "*", ACLOperation.READ, ACLPermissionType.ALLOW, ResourcePattern(ResourceType.TOPIC, topic))
result = admin.create_acls([topic_read])
assert not result["failed"], result
c = KafkaConsumer(topic, group_id="kp-" + topic, auto_offset_reset="earliest", consumer_timeout_ms=3000, **conf("dave"))
try:
    c.poll(5000); c.poll(5000)
    print("group: allowed")
except GroupAuthorizationFailedError:
    print("group: GROUP_AUTHORIZATION_FAILED")
finally:
    c.close()
group_read = ACL("User:dave", "*", ACLOperation.READ, ACLPermissionType.ALLOW,
                 ResourcePattern(ResourceType.GROUP, "kp-", ACLResourcePatternType.PREFIXED))
result = admin.create_acls([group_read])
assert not result["failed"], result
acls, error = admin.describe_acls(ACLFilter("User:dave", None, ACLOperation.ANY, ACLPermissionType.ANY,
                                            ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)))
print("described:", sorted((a.resource_pattern.resource_type.name, a.resource_pattern.resource_name,
                            a.resource_pattern.pattern_type.name, a.operation.name) for a in acls))
c = KafkaConsumer(topic, group_id="kp-" + topic, auto_offset_reset="earliest", consumer_timeout_ms=3000, **conf("dave"))
c.poll(5000)
c.commit()
print("group after grant: committed")
c.close()
deleted = admin.delete_acls([ACLFilter("User:dave", None, ACLOperation.ANY, ACLPermissionType.ANY,
                                       ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY))])
print("deleted:", len(deleted[0][1]))
admin.close()
""";

    private const string ConfluentProducerDenied = """
import sys
from confluent_kafka import Producer
bootstrap, topic, user = sys.argv[1], sys.argv[2], sys.argv[3]
errors = []
p = Producer({"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "PLAIN",
              "sasl.username": user, "sasl.password": user + "-pw", "message.timeout.ms": 10000})
p.produce(topic, b"x", on_delivery=lambda err, msg: errors.append(err))
p.flush(20)
print(errors[0].name() if errors[0] is not None else "OK")
""";

    [Fact]
    public async Task Kafkajs_creates_describes_and_deletes_acls_and_a_producer_follows_them()
    {
        string node = Path.Combine(ExternalTool.ScriptsDirectory, "node");
        string output = await ExternalTool.RunOkAsync("node", [Path.Combine(node, "kafkajs_acls.js"), fixture.Bootstrap, "kjs-acl"],
            timeout: TimeSpan.FromSeconds(90), workingDirectory: node);
        Assert.Equal("ok", output.Trim());
    }

    [Fact]
    public async Task Kafka_python_admin_acls_and_a_consumer_group_refused_then_allowed()
    {
        string output = await ExternalTool.RunOkAsync(ExternalTool.Python, ["-c", KafkaPythonAcls, fixture.Bootstrap, "kp-acl"],
            timeout: TimeSpan.FromSeconds(90));
        string[] lines = output.Trim().Split('\n');
        Assert.Equal("group: GROUP_AUTHORIZATION_FAILED", lines[0]);
        Assert.Equal("described: [('GROUP', 'kp-', 'PREFIXED', 'READ'), ('TOPIC', 'kp-acl', 'LITERAL', 'READ')]", lines[1]);
        Assert.Equal("group after grant: committed", lines[2]);
        Assert.Equal("deleted: 2", lines[3]);
    }

    [Fact]
    public async Task Confluent_python_producer_without_write_gets_topic_authorization_failed()
    {
        const string topic = "ck-acl";
        await ExternalTool.RunOkAsync("kcat", [.. Kcat("admin"), "-P", "-t", topic], stdin: "seed\n");
        string denied = await ExternalTool.RunOkAsync(ExternalTool.Python, ["-c", ConfluentProducerDenied, fixture.Bootstrap, topic, "carol"],
            timeout: TimeSpan.FromSeconds(60));
        Assert.Equal("TOPIC_AUTHORIZATION_FAILED", denied.Trim());
        string super = await ExternalTool.RunOkAsync(ExternalTool.Python, ["-c", ConfluentProducerDenied, fixture.Bootstrap, topic, "admin"],
            timeout: TimeSpan.FromSeconds(60));
        Assert.Equal("OK", super.Trim());
    }

    [Fact]
    public async Task Kcat_metadata_hides_topics_the_principal_may_not_describe_and_produce_is_refused()
    {
        await ExternalTool.RunOkAsync("kcat", [.. Kcat("admin"), "-P", "-t", "kcat-acl-visible"], stdin: "a\n");
        await ExternalTool.RunOkAsync("kcat", [.. Kcat("admin"), "-P", "-t", "kcat-acl-hidden"], stdin: "a\n");
        var authorizer = fixture.Broker.Host.Broker.Authorizer;
        Assert.All(authorizer.Create([new AclBinding(new ResourcePattern(AclResourceType.Topic, "kcat-acl-visible", AclPatternType.Literal),
            new AccessControlEntry("User:carol", "*", AclOperation.Read, AclPermissionType.Allow))]), Assert.Null);

        string adminList = await ExternalTool.RunOkAsync("kcat", [.. Kcat("admin"), "-L"]);
        Assert.Contains("\"kcat-acl-hidden\"", adminList);
        string carolList = await ExternalTool.RunOkAsync("kcat", [.. Kcat("carol"), "-L"]);
        Assert.Contains("\"kcat-acl-visible\"", carolList);
        Assert.DoesNotContain("\"kcat-acl-hidden\"", carolList);

        string consumed = await ExternalTool.RunOkAsync("kcat", [.. Kcat("carol"), "-C", "-t", "kcat-acl-visible", "-o", "beginning", "-e", "-f", "%s\\n"]);
        Assert.Equal("a", consumed.Trim());
        ExternalTool.Result produce = await ExternalTool.RunAsync("kcat", [.. Kcat("carol"), "-P", "-t", "kcat-acl-visible"], stdin: "b\n",
            timeout: TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, produce.ExitCode);
        Assert.Contains("Topic authorization failed", produce.Stderr, StringComparison.OrdinalIgnoreCase);
    }
}
