package io.handoff.app;

import io.handoff.avro.CorrelateInput;
import io.handoff.avro.DeadLetter;
import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.avro.LogEvent;
import io.handoff.avro.Warning;
import io.handoff.config.HandoffConfig;
import io.handoff.registry.SchemaRegistryException;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.topics.TopicNames;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What {@code handoff run} makes sure of before Kafka Streams starts, so that nothing it can foresee
 * stops the application later:
 * <ul>
 *   <li>every topic the topology reads or writes exists (a missing one makes Kafka Streams stop at once);
 *       it waits for them, saying which are missing, rather than exit;</li>
 *   <li>the schema id of every Avro output is known (registered, or in the id cache): it waits while the
 *       registry cannot be reached, and stops with the registry's answer when it refuses a schema;</li>
 *   <li>the bounds fit the cluster: handoff's event-time lead and age under the topics'
 *       {@code message.timestamp.after/before.max.ms}, its largest output under their
 *       {@code max.message.bytes} — a record the broker refuses would abort every transaction it is in.</li>
 * </ul>
 * Each wait backs off from 1 s to 30 s, logs each attempt and ends when {@code stopping} says so.
 */
final class StartChecks {
    private static final Logger LOG = LoggerFactory.getLogger(StartChecks.class);
    private static final long MIN_WAIT_MS = 1_000;
    private static final long MAX_WAIT_MS = 30_000;
    /** Room between handoff's bounds and the broker's, for clocks that differ a little. */
    static final Duration CLOCK_MARGIN = Duration.ofMinutes(5);

    private StartChecks() {}

    /**
     * The topics a topology reads (its sources) and writes (its sinks), from its description, less the
     * repartition topics, which Streams creates when it starts (they are described without the
     * application id, as {@code <name>-repartition}; no topic of the catalogue ends so).
     */
    static Set<String> topics(Topology topology) {
        Set<String> all = new TreeSet<>();
        for (TopologyDescription.Subtopology s : topology.describe().subtopologies()) {
            for (TopologyDescription.Node n : s.nodes()) {
                if (n instanceof TopologyDescription.Source src && src.topicSet() != null) {
                    all.addAll(src.topicSet());
                } else if (n instanceof TopologyDescription.Sink sink && sink.topic() != null) {
                    all.add(sink.topic());
                }
            }
        }
        all.removeIf(StartChecks::repartition);
        return all;
    }

    private static boolean repartition(String topic) {
        return topic.endsWith("-repartition");
    }

    /** The topics a topology writes, less its repartition topics. */
    static Set<String> sinks(Topology topology) {
        Set<String> all = new TreeSet<>();
        for (TopologyDescription.Subtopology s : topology.describe().subtopologies()) {
            for (TopologyDescription.Node n : s.nodes()) {
                if (n instanceof TopologyDescription.Sink sink && sink.topic() != null) {
                    all.add(sink.topic());
                }
            }
        }
        all.removeIf(StartChecks::repartition);
        return all;
    }

    /** Avro value types of handoff's outputs, by topic. */
    static Map<String, Class<? extends SpecificRecord>> avroOutputs(TopicNames t) {
        Map<String, Class<? extends SpecificRecord>> m = new LinkedHashMap<>();
        m.put(t.events(), LogEvent.class);
        m.put(t.correlateInput(), CorrelateInput.class);
        m.put(t.deadLetter(), DeadLetter.class);
        m.put(t.incidents(), Incident.class);
        m.put(t.incidentUpdates(), Incident.class);
        m.put(t.warnings(), Warning.class);
        m.put(t.fleetIncidents(), FleetIncident.class);
        return m;
    }

    /**
     * Waits until every topic of {@code wanted} exists. Returns false when {@code stopping} ended the wait.
     *
     * @param waiting told what is missing while it waits (for {@code /health})
     */
    static boolean awaitTopics(Admin admin, Set<String> wanted, Reachability reach, Consumer<String> waiting,
                               BooleanSupplier stopping) throws InterruptedException {
        long wait = MIN_WAIT_MS;
        while (!stopping.getAsBoolean()) {
            long now = System.currentTimeMillis();
            try {
                Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                reach.reachable(Reachability.Dependency.BROKER, now);
                List<String> missing = new ArrayList<>();
                for (String t : wanted) {
                    if (!existing.contains(t)) {
                        missing.add(t);
                    }
                }
                if (missing.isEmpty()) {
                    return true;
                }
                String what = "topics " + String.join(", ", missing) + " do not exist";
                waiting.accept(what + " (create them as docs/DEPLOY.md lists, or run with --create-topics)");
                LOG.warn("{}: create them as docs/DEPLOY.md lists them (or run with --create-topics); waiting, next look in {} s",
                        what, wait / 1000);
            } catch (ExecutionException | TimeoutException e) {
                String detail = e.getCause() != null ? e.getCause().toString() : "no answer within 10 s";
                reach.unreachable(Reachability.Dependency.BROKER, now, detail);
                waiting.accept("the broker does not answer (" + detail + ")");
                LOG.warn("cannot list the topics ({}); waiting, next try in {} s", detail, wait / 1000);
            }
            sleep(wait, stopping);
            wait = Math.min(MAX_WAIT_MS, wait * 2);
        }
        return false;
    }

    /**
     * Learns the schema id of every Avro output of {@code sinks} through the serializer the topology will
     * use (and so into the id cache), waiting while the registry cannot be reached. Returns false when
     * {@code stopping} ended the wait.
     *
     * @throws IllegalStateException when the registry answers with a refusal (an incompatible schema,
     *                               no permission): waiting would not change that
     */
    static boolean awaitSchemas(HandoffConfig config, Set<String> sinks, Reachability reach, Consumer<String> waiting,
                                BooleanSupplier stopping) throws InterruptedException {
        Map<String, Class<? extends SpecificRecord>> outputs = avroOutputs(config.topics());
        outputs.keySet().retainAll(sinks);
        long wait = MIN_WAIT_MS;
        Map<String, SpecificAvroSerde<? extends SpecificRecord>> serdes = new LinkedHashMap<>();
        outputs.forEach((topic, type) -> serdes.put(topic, SpecificAvroSerde.forValues(type, config.streams())));
        while (!stopping.getAsBoolean()) {
            long now = System.currentTimeMillis();
            String failed = null;
            for (Map.Entry<String, SpecificAvroSerde<? extends SpecificRecord>> e : serdes.entrySet()) {
                try {
                    e.getValue().serializer().schemaId(e.getKey(),
                            SpecificData.get().getSchema(outputs.get(e.getKey())));
                } catch (SerializationException ex) {
                    if (!SchemaRegistryException.isUnavailable(ex)) {
                        throw new IllegalStateException("the schema registry refused the schema of " + e.getKey() + ": "
                                + ex.getMessage(), ex);
                    }
                    failed = ex.getMessage();
                    break;
                }
            }
            if (failed == null) {
                return true;
            }
            reach.unreachable(Reachability.Dependency.REGISTRY, now, failed);
            waiting.accept("the schema registry cannot be reached and the schema ids are not cached yet (" + failed + ")");
            LOG.warn("the schema registry cannot be reached and the ids of handoff's schemas are not cached yet ({}); waiting,"
                    + " next try in {} s", failed, wait / 1000);
            sleep(wait, stopping);
            wait = Math.min(MAX_WAIT_MS, wait * 2);
        }
        return false;
    }

    /**
     * The configuration with its bounds fitted to the cluster's settings of {@code sinks}: the event-time
     * lead and age at most the topics' {@code message.timestamp.after.max.ms} / {@code before.max.ms} less
     * {@link #CLOCK_MARGIN}, the producer's {@code max.request.size} at most their {@code max.message.bytes}.
     * Each change is logged. Settings it cannot read (no DescribeConfigs permission) are left as they are.
     */
    static HandoffConfig fitToCluster(Admin admin, Set<String> sinks, HandoffConfig config) {
        List<ConfigResource> resources = new ArrayList<>();
        sinks.forEach(t -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t)));
        Map<ConfigResource, Config> configs;
        try {
            configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cannot read the topics' settings ({}); keeping handoff's bounds as configured", e.toString());
            return config;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return config;
        }
        long after = Long.MAX_VALUE;
        long before = Long.MAX_VALUE;
        long maxMessage = Long.MAX_VALUE;
        String afterTopic = null;
        String beforeTopic = null;
        String sizeTopic = null;
        for (Map.Entry<ConfigResource, Config> e : configs.entrySet()) {
            long a = number(e.getValue().get("message.timestamp.after.max.ms"));
            long b = number(e.getValue().get("message.timestamp.before.max.ms"));
            long m = number(e.getValue().get("max.message.bytes"));
            boolean createTime = !"LogAppendTime".equals(value(e.getValue().get("message.timestamp.type")));
            if (a < after) {
                after = a; // also the changelogs' bound, which inherit the broker's default
                afterTopic = e.getKey().name();
            }
            if (createTime && b < before) {
                before = b;
                beforeTopic = e.getKey().name();
            }
            if (m < maxMessage) {
                maxMessage = m;
                sizeTopic = e.getKey().name();
            }
        }
        HandoffConfig.Limits l = config.limits();
        Duration lead = l.maxEventLead();
        if (after != Long.MAX_VALUE && lead.toMillis() > after - CLOCK_MARGIN.toMillis()) {
            Duration fitted = Duration.ofMillis(Math.max(after / 2, after - CLOCK_MARGIN.toMillis()));
            LOG.warn("{} takes records at most {} ms ahead (message.timestamp.after.max.ms): handoff.max-event-lead lowered from"
                    + " {} to {}", afterTopic, after, lead, fitted);
            lead = fitted;
        }
        Duration age = l.maxEventAge();
        if (before != Long.MAX_VALUE && (!l.ageBounded() || age.toMillis() > before - CLOCK_MARGIN.toMillis())) {
            Duration fitted = Duration.ofMillis(Math.max(before / 2, before - CLOCK_MARGIN.toMillis()));
            LOG.warn("{} takes records at most {} ms old (message.timestamp.before.max.ms): handoff.max-event-age lowered from"
                    + " {} to {}", beforeTopic, before, l.ageBounded() ? age : "no bound", fitted);
            age = fitted;
        }
        HandoffConfig out = config.withLimits(new HandoffConfig.Limits(age, lead, l.maxLineBytes(), l.maxEntryBytes(),
                l.unreachableAfter()));
        String requestKey = StreamsConfig.producerPrefix("max.request.size");
        long request = number(config.streams().getOrDefault(requestKey, config.streams().getOrDefault("max.request.size",
                String.valueOf(1024 * 1024))));
        if (maxMessage != Long.MAX_VALUE && maxMessage < request) {
            Map<String, String> streams = new TreeMap<>(config.streams());
            streams.put(requestKey, String.valueOf(maxMessage));
            LOG.warn("{} takes records of at most {} bytes (max.message.bytes): outputs are kept under that (producer"
                    + " max.request.size {} instead of {})", sizeTopic, maxMessage, maxMessage, request);
            out = out.withStreams(streams);
        }
        return out;
    }

    private static String value(ConfigEntry e) {
        return e == null ? null : e.value();
    }

    private static long number(ConfigEntry e) {
        return e == null || e.value() == null ? Long.MAX_VALUE : number(e.value());
    }

    private static long number(String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException ex) {
            return Long.MAX_VALUE;
        }
    }

    private static void sleep(long ms, BooleanSupplier stopping) throws InterruptedException {
        long until = System.currentTimeMillis() + ms;
        while (!stopping.getAsBoolean() && System.currentTimeMillis() < until) {
            Thread.sleep(Math.min(100, Math.max(1, until - System.currentTimeMillis()))); // back-off between attempts, awake for a stop
        }
    }
}
