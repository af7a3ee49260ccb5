package io.handoff.app;

import io.handoff.avro.SourceKind;
import io.handoff.config.HandoffConfig;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/** Every topic handoff reads or writes, for creating them before a run. */
public final class Topics {
    private Topics() {}

    /**
     * All topic names of a prefix: the six raw topics, events, the correlator's input, incidents, incident
     * updates, warnings, fleet incidents, dead letters, the ECS mirror. docs/DEPLOY.md, docker-compose.yml and
     * deploy/kafka-topics.yaml list exactly these, with {@link #config}. Kafka Streams creates its internal
     * topics (the changelogs and the fleet stage's repartition topics) itself.
     */
    static List<String> all(TopicNames t) {
        List<String> names = new ArrayList<>();
        for (SourceKind k : SourceKind.values()) {
            names.add(t.raw(k));
        }
        names.addAll(List.of(t.events(), t.correlateInput(), t.incidents(), t.incidentUpdates(), t.warnings(), t.fleetIncidents(), t.deadLetter(),
                t.incidentsEcs()));
        return names;
    }

    private static final long DAY_MS = Duration.ofDays(1).toMillis();

    /**
     * The settings of a topic of the catalogue. Retention that fits event time: the raw topics keep the
     * shipper's time (a replay stamps event time there, and the parse stage merges its six topics by it);
     * every output handoff writes takes the broker's time ({@code message.timestamp.type=LogAppendTime}), so
     * time-based retention counts from when an incident was written, not from when its lines were — an
     * incident of last month's logs stays its 30 days. The event time is in each value ({@code timestamp},
     * {@code started_at}); handoff's own readers take it from there.
     */
    static Map<String, String> config(TopicNames t, String topic) {
        Map<String, String> c = new LinkedHashMap<>();
        if (topic.equals(t.incidentUpdates())) {
            c.put("cleanup.policy", "compact");
            c.put("message.timestamp.type", "LogAppendTime");
            return c;
        }
        c.put("cleanup.policy", "delete");
        long days;
        if (topic.startsWith(t.prefix() + ".raw.") || topic.equals(t.events()) || topic.equals(t.correlateInput())) {
            days = 3;
        } else if (topic.equals(t.warnings())) {
            days = 7;
        } else if (topic.equals(t.deadLetter())) {
            days = 14;
        } else {
            days = 30;
        }
        c.put("retention.ms", String.valueOf(days * DAY_MS));
        if (!topic.startsWith(t.prefix() + ".raw.")) {
            c.put("message.timestamp.type", "LogAppendTime");
        }
        return c;
    }

    /**
     * Waits until every partition of {@code topics} has a leader: a topic the controller has created
     * is not yet writable everywhere, and a producer that starts too early can wait on it for its
     * whole delivery timeout.
     */
    static void awaitLeaders(Admin admin, List<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String missing = "";
        while (System.nanoTime() < deadline) {
            try {
                missing = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                        .flatMap(d -> d.partitions().stream().filter(p -> p.leader() == null || p.leader().isEmpty())
                                .map(p -> d.name() + "-" + p.partition()))
                        .collect(Collectors.joining(", "));
            } catch (ExecutionException | TimeoutException e) {
                missing = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic leaders", e);
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(100); // polling the cluster's answer, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic leaders", e);
            }
        }
        throw new IllegalStateException("topics have no leader after " + timeout + ": " + missing);
    }

    /** The six raw topics. */
    public static List<String> raw(TopicNames t) {
        List<String> names = new ArrayList<>();
        for (SourceKind k : SourceKind.values()) {
            names.add(t.raw(k));
        }
        return names;
    }

    /** Creates the topics that do not exist yet; existing ones are left as they are. */
    public static void create(HandoffConfig config, int partitions, PrintStream err) {
        create(config, partitions, err, Map.of());
    }

    /** As above, with {@code overrides} on top of each created topic's settings. */
    public static void create(HandoffConfig config, int partitions, PrintStream err, Map<String, String> overrides) {
        Map<String, Object> admin = new LinkedHashMap<>(config.streams());
        admin.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin a = Admin.create(admin)) {
            List<NewTopic> wanted = new ArrayList<>();
            for (String n : all(config.topics())) {
                // replication factor: the cluster's default.replication.factor
                Map<String, String> configs = new LinkedHashMap<>(config(config.topics(), n));
                configs.putAll(overrides);
                wanted.add(new NewTopic(n, Optional.of(partitions), Optional.empty()).configs(configs));
            }
            List<String> created = new ArrayList<>();
            for (Map.Entry<String, KafkaFuture<Void>> r : a.createTopics(wanted).values().entrySet()) {
                try {
                    r.getValue().get(60, TimeUnit.SECONDS);
                    created.add(r.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("creating topic " + r.getKey() + " failed: " + e.getCause().getMessage(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException("creating topic " + r.getKey() + ": the cluster did not answer within 60 s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topic " + r.getKey(), e);
                }
            }
            if (!created.isEmpty()) {
                err.println("handoff: created topics " + String.join(", ", created));
            }
            awaitLeaders(a, all(config.topics()), Duration.ofSeconds(60));
        }
    }
}
