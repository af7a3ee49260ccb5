package io.handoff.app;

import io.handoff.avro.LogEvent;
import io.handoff.avro.SourceKind;
import io.handoff.config.HandoffConfig;
import io.handoff.embedded.junit.KafkaBroker;
import io.handoff.registry.InMemorySchemaRegistryClient;
import io.handoff.common.HandoffMetrics;
import io.handoff.topology.HandoffTopology;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code handoff run} makes sure of before it starts Kafka Streams. */
@KafkaBroker.Use
class StartChecksTest {

    private static HandoffConfig config(String prefix, String registry) {
        return HandoffConfig.of(Map.of("handoff.topic-prefix", prefix, "schema.registry.url", registry));
    }

    @Test
    void theTopicsToWaitForAreTheTopologysSourcesAndSinks() {
        HandoffConfig c = config("chk", "mock://chk");
        var topology = HandoffTopology.build(c, new HandoffMetrics());
        Set<String> all = StartChecks.topics(topology);
        assertTrue(all.containsAll(List.of("chk.raw.nginx-error", "chk.correlate-input", "chk.incidents", "chk.dead-letter",
                "chk.incidents-ecs", "chk.fleet-incidents", "chk.warnings")), all.toString());
        assertTrue(all.stream().allMatch(t -> t.startsWith("chk.")), "no internal topic: Streams creates those " + all);
        assertTrue(StartChecks.sinks(topology).stream().allMatch(t -> t.startsWith("chk.")), "no repartition topic among the sinks");
        assertTrue(!StartChecks.sinks(topology).contains("chk.raw.kern"));
        assertTrue(Topics.all(c.topics()).containsAll(all), "every topic it waits for is in the catalogue the docs list");
    }

    @Test
    void boundsAreFittedToAStricterCluster(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String prefix = "fit-" + UUID.randomUUID().toString().substring(0, 8);
        HandoffConfig c = config(prefix, "mock://" + prefix);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(
                    new NewTopic(c.topics().events(), 1, (short) 1).configs(Map.of("message.timestamp.after.max.ms", "600000",
                            "message.timestamp.type", "CreateTime", "message.timestamp.before.max.ms", "2592000000")),
                    new NewTopic(c.topics().incidents(), 1, (short) 1).configs(Map.of("max.message.bytes", "500000",
                            "message.timestamp.type", "LogAppendTime", "message.timestamp.before.max.ms", "86400000"))))
                    .all().get(30, TimeUnit.SECONDS);
            HandoffConfig fitted = StartChecks.fitToCluster(admin, Set.of(c.topics().events(), c.topics().incidents()), c);
            assertEquals(Duration.ofMinutes(5), fitted.limits().maxEventLead(), "10 min on the broker, less the 5 min margin");
            assertEquals(Duration.ofDays(30).minus(StartChecks.CLOCK_MARGIN), fitted.limits().maxEventAge(),
                    "the CreateTime topic's bound; the LogAppendTime topic checks no age");
            assertEquals("500000", fitted.streams().get("producer.max.request.size"));
            assertEquals(500000 - 16 * 1024, HandoffTopology.maxRecordBytes(fitted));
            assertEquals(c.limits().maxLineBytes(), fitted.limits().maxLineBytes());

            HandoffConfig lenient = StartChecks.fitToCluster(admin, Set.of(c.topics().incidents()), c.withStreams(
                    new TreeMap<>(Map.of("schema.registry.url", "mock://" + prefix, "producer.max.request.size", "400000"))));
            assertEquals(c.limits().maxEventLead(), lenient.limits().maxEventLead(), "the broker's default hour leaves 15 min");
            assertEquals("400000", lenient.streams().get("producer.max.request.size"), "already under the topic's limit");
        }
    }

    @Test
    void aSchemaTheRegistryRefusesStopsTheStartWithItsAnswer() {
        String scope = "refuse-" + UUID.randomUUID().toString().substring(0, 8);
        HandoffConfig c = config(scope, "mock://" + scope);
        // the subject already holds a schema the current LogEvent cannot be registered after (BACKWARD)
        InMemorySchemaRegistryClient.forScope(scope).register(c.topics().events() + "-value",
                SchemaBuilder.record("LogEvent").namespace("io.handoff.avro").fields().requiredInt("x").endRecord());
        Reachability reach = new Reachability();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StartChecks.awaitSchemas(c,
                Set.of(c.topics().events()), reach, w -> { }, () -> false));
        assertTrue(e.getMessage().startsWith("the schema registry refused the schema of " + c.topics().events() + ": "),
                e.getMessage());
        assertTrue(e.getMessage().contains("409"), e.getMessage());
        InMemorySchemaRegistryClient.dropScope(scope);
    }

    @Test
    void knownSchemasNeedNoWait() throws Exception {
        String scope = "known-" + UUID.randomUUID().toString().substring(0, 8);
        HandoffConfig c = config(scope, "mock://" + scope);
        assertTrue(StartChecks.awaitSchemas(c, Set.of(c.topics().events(), c.topics().incidents(), c.topics().raw(
                SourceKind.KERN)), new Reachability(), w -> { }, () -> false));
        assertEquals(LogEvent.getClassSchema().toString(), InMemorySchemaRegistryClient.forScope(scope)
                .latest(c.topics().events() + "-value").schema().toString());
        InMemorySchemaRegistryClient.dropScope(scope);
    }

    @Test
    void aFailingStreamThreadIsReplacedAfterABackOffThatGrows() {
        assertEquals(1, RunCommand.backoffSeconds(1, 0));
        assertEquals(2, RunCommand.backoffSeconds(2, 1_000));
        assertEquals(4, RunCommand.backoffSeconds(3, 1_000));
        assertEquals(32, RunCommand.backoffSeconds(6, 1_000));
        assertEquals(60, RunCommand.backoffSeconds(7, 1_000));
        assertEquals(60, RunCommand.backoffSeconds(40, 1_000));
        assertEquals(1, RunCommand.backoffSeconds(40, Duration.ofMinutes(11).toMillis()), "after ten quiet minutes, from the start");
    }
}
