namespace Rill.Broker.Config;

/// <summary>
/// Apache Kafka's broker property names (4.x, KRaft) with type and default. Every name is accepted
/// so people can bring their server.properties; <c>Applied</c> says whether Rill acts on it today
/// (the others are logged once at start as not applied).
/// </summary>
public static class BrokerConfigCatalog
{
    private const ConfigType B = ConfigType.Boolean, S = ConfigType.Short, I = ConfigType.Int, L = ConfigType.Long,
        D = ConfigType.Double, Str = ConfigType.String, Lst = ConfigType.List, P = ConfigType.Password, C = ConfigType.Class;

    private static ConfigDef Yes(string name, ConfigType type, string? value, Func<string, string?>? check = null) => new(name, type, value, true, check);
    private static ConfigDef No(string name, ConfigType type, string? value) => new(name, type, value, false);

    public static IReadOnlyDictionary<string, ConfigDef> All { get; } = Build().ToDictionary(d => d.Name, StringComparer.Ordinal);

    private static IEnumerable<ConfigDef> Build()
    {
        // Server basics and listeners.
        yield return Yes("node.id", I, "1", Rules.AtLeast(0));
        yield return Yes("broker.id", I, "-1");
        yield return Yes("process.roles", Lst, "broker,controller", Rules.ListOf("broker", "controller"));
        yield return Yes("listeners", Lst, "PLAINTEXT://127.0.0.1:9092");
        yield return Yes("advertised.listeners", Lst, null);
        yield return No("listener.security.protocol.map", Str, "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL");
        yield return No("inter.broker.listener.name", Str, null);
        yield return No("security.inter.broker.protocol", Str, "PLAINTEXT");
        yield return No("controller.listener.names", Lst, null);
        yield return No("controller.quorum.voters", Lst, "");
        yield return No("controller.quorum.bootstrap.servers", Lst, "");
        yield return No("controller.quorum.election.timeout.ms", I, "1000");
        yield return No("controller.quorum.fetch.timeout.ms", I, "2000");
        yield return No("controller.quorum.election.backoff.max.ms", I, "1000");
        yield return No("controller.quorum.append.linger.ms", I, "25");
        yield return No("controller.quorum.request.timeout.ms", I, "2000");
        yield return No("controller.quorum.retry.backoff.ms", I, "20");
        yield return No("broker.rack", Str, null);
        yield return No("metadata.log.dir", Str, null);
        yield return No("metadata.log.segment.bytes", I, "1073741824");
        yield return No("metadata.log.segment.ms", L, "604800000");
        yield return No("metadata.max.retention.bytes", L, "104857600");
        yield return No("metadata.max.retention.ms", L, "604800000");
        yield return No("metadata.max.idle.interval.ms", I, "500");
        yield return No("broker.heartbeat.interval.ms", I, "2000");
        yield return No("broker.session.timeout.ms", I, "9000");
        yield return No("initial.broker.registration.timeout.ms", I, "60000");
        yield return No("num.network.threads", I, "3");
        yield return No("num.io.threads", I, "8");
        yield return No("background.threads", I, "10");
        yield return No("queued.max.requests", I, "500");
        yield return No("queued.max.request.bytes", L, "-1");
        yield return No("request.timeout.ms", I, "30000");
        yield return No("socket.send.buffer.bytes", I, "102400");
        yield return No("socket.receive.buffer.bytes", I, "102400");
        yield return Yes("socket.request.max.bytes", I, "104857600", Rules.AtLeast(1));
        yield return No("socket.listen.backlog.size", I, "50");
        yield return No("socket.connection.setup.timeout.ms", L, "10000");
        yield return No("socket.connection.setup.timeout.max.ms", L, "30000");
        yield return No("connections.max.idle.ms", L, "600000");
        yield return No("connections.max.reauth.ms", L, "0");
        yield return No("max.connections", I, "2147483647");
        yield return No("max.connections.per.ip", I, "2147483647");
        yield return No("max.connections.per.ip.overrides", Str, "");
        yield return No("max.connection.creation.rate", I, "2147483647");
        yield return No("max.incremental.fetch.session.cache.slots", I, "1000");
        yield return No("fetch.max.bytes", I, "57671680");
        yield return No("fetch.purgatory.purge.interval.requests", I, "1000");
        yield return No("producer.purgatory.purge.interval.requests", I, "1000");
        yield return No("delete.records.purgatory.purge.interval.requests", I, "1");
        yield return Yes("message.max.bytes", I, "1048588", Rules.AtLeast(0));
        yield return No("reserved.broker.max.id", I, "1000");
        yield return No("unstable.api.versions.enable", B, "false");
        yield return No("unstable.feature.versions.enable", B, "false");
        yield return No("early.start.listeners", Str, null);
        yield return No("num.recovery.threads.per.data.dir", I, "2");
        yield return No("server.max.startup.time.ms", L, "9223372036854775807");
        yield return No("eligible.leader.replicas.enable", B, "false");

        // Topics and logs.
        yield return Yes("log.dirs", Lst, null);
        yield return Yes("log.dir", Str, "/tmp/kafka-logs");
        yield return Yes("num.partitions", I, "1", Rules.AtLeast(1));
        yield return Yes("default.replication.factor", I, "1", Rules.AtLeast(1));
        yield return Yes("auto.create.topics.enable", B, "true");
        yield return Yes("delete.topic.enable", B, "true");
        yield return Yes("min.insync.replicas", I, "1", Rules.AtLeast(1));
        yield return Yes("log.segment.bytes", I, "1073741824", Rules.AtLeast(14));
        yield return Yes("log.roll.ms", L, null, Rules.AtLeast(1));
        yield return Yes("log.roll.hours", I, "168", Rules.AtLeast(1));
        yield return No("log.roll.jitter.ms", L, null);
        yield return No("log.roll.jitter.hours", I, "0");
        yield return No("log.retention.ms", L, null);
        yield return No("log.retention.minutes", I, null);
        yield return No("log.retention.hours", I, "168");
        yield return No("log.retention.bytes", L, "-1");
        yield return No("log.retention.check.interval.ms", L, "300000");
        yield return new ConfigDef("log.cleanup.policy", Lst, "delete", false, Rules.ListOf("delete", "compact"));
        yield return Yes("log.index.interval.bytes", I, "4096", Rules.AtLeast(0));
        yield return Yes("log.index.size.max.bytes", I, "10485760", Rules.AtLeast(4));
        yield return Yes("log.flush.interval.messages", L, "9223372036854775807", Rules.AtLeast(1));
        yield return Yes("log.flush.interval.ms", L, null, Rules.AtLeast(0));
        yield return Yes("log.flush.scheduler.interval.ms", L, "9223372036854775807", Rules.AtLeast(0));
        yield return Yes("log.flush.offset.checkpoint.interval.ms", I, "60000", Rules.AtLeast(0));
        yield return No("log.flush.start.offset.checkpoint.interval.ms", I, "60000");
        yield return No("log.preallocate", B, "false");
        yield return No("log.segment.delete.delay.ms", L, "60000");
        yield return Yes("log.message.timestamp.type", Str, "CreateTime", Rules.OneOf("CreateTime", "LogAppendTime"));
        yield return No("log.message.timestamp.before.max.ms", L, "9223372036854775807");
        yield return No("log.message.timestamp.after.max.ms", L, "3600000");
        yield return No("log.message.timestamp.difference.max.ms", L, "9223372036854775807");
        yield return No("log.message.downconversion.enable", B, "true");
        yield return No("log.message.format.version", Str, "3.0-IV1");
        yield return No("log.local.retention.ms", L, "-2");
        yield return No("log.local.retention.bytes", L, "-2");
        yield return No("compression.type", Str, "producer");
        yield return No("compression.gzip.level", I, "-1");
        yield return No("compression.lz4.level", I, "9");
        yield return No("compression.zstd.level", I, "3");
        yield return No("unclean.leader.election.enable", B, "false");
        yield return No("auto.leader.rebalance.enable", B, "true");
        yield return No("leader.imbalance.check.interval.seconds", L, "300");
        yield return No("leader.imbalance.per.broker.percentage", I, "10");
        yield return No("create.topic.policy.class.name", C, null);
        yield return No("alter.config.policy.class.name", C, null);

        // Log cleaner.
        yield return No("log.cleaner.enable", B, "true");
        yield return No("log.cleaner.threads", I, "1");
        yield return No("log.cleaner.dedupe.buffer.size", L, "134217728");
        yield return No("log.cleaner.io.buffer.size", I, "524288");
        yield return No("log.cleaner.io.buffer.load.factor", D, "0.9");
        yield return No("log.cleaner.io.max.bytes.per.second", D, "1.7976931348623157E308");
        yield return No("log.cleaner.backoff.ms", L, "15000");
        yield return No("log.cleaner.min.cleanable.ratio", D, "0.5");
        yield return No("log.cleaner.min.compaction.lag.ms", L, "0");
        yield return No("log.cleaner.max.compaction.lag.ms", L, "9223372036854775807");
        yield return No("log.cleaner.delete.retention.ms", L, "86400000");

        // Replication.
        yield return No("num.replica.fetchers", I, "1");
        yield return No("num.replica.alter.log.dirs.threads", I, null);
        yield return No("replica.fetch.max.bytes", I, "1048576");
        yield return No("replica.fetch.min.bytes", I, "1");
        yield return No("replica.fetch.wait.max.ms", I, "500");
        yield return No("replica.fetch.backoff.ms", I, "1000");
        yield return No("replica.fetch.response.max.bytes", I, "10485760");
        yield return No("replica.lag.time.max.ms", L, "30000");
        yield return No("replica.socket.timeout.ms", I, "30000");
        yield return No("replica.socket.receive.buffer.bytes", I, "65536");
        yield return No("replica.high.watermark.checkpoint.interval.ms", L, "5000");
        yield return No("replica.selector.class", C, null);
        yield return No("replication.quota.window.num", I, "11");
        yield return No("replication.quota.window.size.seconds", I, "1");
        yield return No("alter.log.dirs.replication.quota.window.num", I, "11");
        yield return No("alter.log.dirs.replication.quota.window.size.seconds", I, "1");

        // Groups and offsets.
        yield return Yes("group.initial.rebalance.delay.ms", I, "3000");
        yield return Yes("group.min.session.timeout.ms", I, "6000");
        yield return Yes("group.max.session.timeout.ms", I, "1800000");
        yield return Yes("group.max.size", I, "2147483647");
        yield return No("group.coordinator.rebalance.protocols", Lst, "classic,consumer");
        yield return No("group.coordinator.threads", I, "4");
        yield return No("group.coordinator.append.linger.ms", I, "5");
        yield return No("group.consumer.session.timeout.ms", I, "45000");
        yield return No("group.consumer.min.session.timeout.ms", I, "45000");
        yield return No("group.consumer.max.session.timeout.ms", I, "60000");
        yield return No("group.consumer.heartbeat.interval.ms", I, "5000");
        yield return No("group.consumer.min.heartbeat.interval.ms", I, "5000");
        yield return No("group.consumer.max.heartbeat.interval.ms", I, "15000");
        yield return No("group.consumer.max.size", I, "2147483647");
        yield return No("group.consumer.assignors", Lst, "uniform,range");
        yield return No("group.consumer.migration.policy", Str, "bidirectional");
        yield return No("group.share.enable", B, "false");
        yield return Yes("offsets.topic.num.partitions", I, "50");
        yield return No("offsets.topic.replication.factor", S, "3");
        yield return Yes("offsets.topic.segment.bytes", I, "104857600");
        yield return No("offsets.topic.compression.codec", I, "0");
        yield return No("offsets.load.buffer.size", I, "5242880");
        yield return No("offsets.commit.timeout.ms", I, "5000");
        yield return No("offsets.commit.required.acks", S, "-1");
        yield return No("offsets.retention.minutes", I, "10080");
        yield return No("offsets.retention.check.interval.ms", L, "600000");
        yield return Yes("offset.metadata.max.bytes", I, "4096");

        // Transactions and producers.
        yield return No("transactional.id.expiration.ms", I, "604800000");
        yield return No("transaction.max.timeout.ms", I, "900000");
        yield return No("transaction.state.log.num.partitions", I, "50");
        yield return No("transaction.state.log.replication.factor", S, "3");
        yield return No("transaction.state.log.min.isr", I, "2");
        yield return No("transaction.state.log.segment.bytes", I, "104857600");
        yield return No("transaction.state.log.load.buffer.size", I, "5242880");
        yield return No("transaction.abort.timed.out.transaction.cleanup.interval.ms", I, "10000");
        yield return No("transaction.remove.expired.transaction.cleanup.interval.ms", I, "3600000");
        yield return No("transaction.partition.verification.enable", B, "true");
        yield return No("producer.id.expiration.ms", I, "86400000");
        yield return No("producer.id.expiration.check.interval.ms", I, "600000");

        // Quotas and metrics.
        yield return No("quota.window.num", I, "11");
        yield return No("quota.window.size.seconds", I, "1");
        yield return No("client.quota.callback.class", C, null);
        yield return No("metric.reporters", Lst, "");
        yield return No("metrics.num.samples", I, "2");
        yield return No("metrics.sample.window.ms", L, "30000");
        yield return No("metrics.recording.level", Str, "INFO");
        yield return No("auto.include.jmx.reporter", B, "true");
        yield return No("kafka.metrics.reporters", Lst, "");
        yield return No("kafka.metrics.polling.interval.secs", I, "10");
        yield return No("telemetry.max.bytes", I, "1048576");

        // Security.
        yield return No("authorizer.class.name", Str, "");
        yield return No("super.users", Str, null);
        yield return No("allow.everyone.if.no.acl.found", B, "false");
        yield return No("principal.builder.class", C, null);
        yield return No("sasl.enabled.mechanisms", Lst, "GSSAPI");
        yield return No("sasl.mechanism.inter.broker.protocol", Str, "GSSAPI");
        yield return No("sasl.mechanism.controller.protocol", Str, "GSSAPI");
        yield return No("sasl.jaas.config", P, null);
        yield return No("sasl.kerberos.service.name", Str, null);
        yield return No("sasl.kerberos.kinit.cmd", Str, "/usr/bin/kinit");
        yield return No("sasl.kerberos.min.time.before.relogin", L, "60000");
        yield return No("sasl.kerberos.principal.to.local.rules", Lst, "DEFAULT");
        yield return No("sasl.kerberos.ticket.renew.jitter", D, "0.05");
        yield return No("sasl.kerberos.ticket.renew.window.factor", D, "0.8");
        yield return No("sasl.login.callback.handler.class", C, null);
        yield return No("sasl.login.class", C, null);
        yield return No("sasl.server.callback.handler.class", C, null);
        yield return No("sasl.server.max.receive.size", I, "524288");
        yield return No("sasl.oauthbearer.jwks.endpoint.url", Str, null);
        yield return No("sasl.oauthbearer.token.endpoint.url", Str, null);
        yield return No("sasl.oauthbearer.expected.audience", Lst, null);
        yield return No("sasl.oauthbearer.expected.issuer", Str, null);
        yield return No("ssl.keystore.type", Str, "JKS");
        yield return No("ssl.keystore.location", Str, null);
        yield return No("ssl.keystore.password", P, null);
        yield return No("ssl.keystore.key", P, null);
        yield return No("ssl.keystore.certificate.chain", P, null);
        yield return No("ssl.key.password", P, null);
        yield return No("ssl.truststore.type", Str, "JKS");
        yield return No("ssl.truststore.location", Str, null);
        yield return No("ssl.truststore.password", P, null);
        yield return No("ssl.truststore.certificates", P, null);
        yield return No("ssl.protocol", Str, "TLSv1.3");
        yield return No("ssl.enabled.protocols", Lst, "TLSv1.2,TLSv1.3");
        yield return No("ssl.cipher.suites", Lst, "");
        yield return No("ssl.client.auth", Str, "none");
        yield return No("ssl.endpoint.identification.algorithm", Str, "https");
        yield return No("ssl.keymanager.algorithm", Str, "SunX509");
        yield return No("ssl.trustmanager.algorithm", Str, "PKIX");
        yield return No("ssl.secure.random.implementation", Str, null);
        yield return No("ssl.principal.mapping.rules", Str, "DEFAULT");
        yield return No("ssl.engine.factory.class", C, null);
        yield return No("ssl.provider", Str, null);
        yield return No("delegation.token.secret.key", P, null);
        yield return No("delegation.token.max.lifetime.ms", L, "604800000");
        yield return No("delegation.token.expiry.time.ms", L, "86400000");
        yield return No("delegation.token.expiry.check.interval.ms", L, "3600000");

        // Remote (tiered) storage.
        yield return No("remote.log.storage.system.enable", B, "false");
        yield return No("remote.log.manager.task.interval.ms", L, "30000");
        yield return No("remote.log.metadata.manager.class.name", Str, null);
        yield return No("remote.log.storage.manager.class.name", Str, null);
        yield return No("remote.log.index.file.cache.total.size.bytes", L, "1073741824");
    }
}
