package io.handoff.console;

import io.handoff.avro.FleetIncident;
import io.handoff.avro.Incident;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.topics.TopicNames;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reads the incident topics into an {@link IncidentBoard} and hands every record to its listeners
 * (the Alertmanager publisher). Each instance of the application runs its own feed: a plain consumer
 * with no group, assigned every partition of {@code handoff.incident-updates} (compacted: every
 * incident's latest state), {@code handoff.incidents} (final records) and
 * {@code handoff.fleet-incidents}, from the beginning, {@code read_committed}. So every instance
 * serves the whole view and a plain load balancer can send a page to any of them.
 *
 * <p>A topic that does not exist yet is looked for again every {@link #RECHECK}; a record that does
 * not deserialize is counted ({@link #skipped()}) and logged, and the feed reads on.
 */
public final class IncidentFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentFeed.class);
    static final Duration RECHECK = Duration.ofSeconds(10);

    /** Told of every record the feed reads, in topic order, on the feed's thread. */
    public interface Listener {
        default void incident(Incident incident, boolean live) {}

        default void fleetIncident(FleetIncident fleet, boolean live) {}

        /** The feed has read everything that was on the topics when it started (or when a topic appeared). */
        default void caughtUp() {}
    }

    private final IncidentBoard board;
    private final TopicNames topics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SpecificAvroSerde<Incident> incidentSerde;
    private final SpecificAvroSerde<FleetIncident> fleetSerde;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile boolean caughtUp;
    private final Set<String> missing = new LinkedHashSet<>();
    private Map<TopicPartition, Long> catchUpTargets = new HashMap<>();

    /**
     * @param clientConfig Kafka client and serde settings ({@code bootstrap.servers},
     *                     {@code schema.registry.url}, security settings); other keys are ignored
     */
    public IncidentFeed(Map<String, String> clientConfig, TopicNames topics, IncidentBoard board) {
        this.board = board;
        this.topics = topics;
        Map<String, Object> c = new HashMap<>();
        clientConfig.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k)) {
                c.put(k, v);
            }
        });
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "handoff-console-" + UUID.randomUUID().toString().substring(0, 8));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        incidentSerde = SpecificAvroSerde.forValues(Incident.class, clientConfig);
        fleetSerde = SpecificAvroSerde.forValues(FleetIncident.class, clientConfig);
        missing.addAll(List.of(topics.incidentUpdates(), topics.incidents(), topics.fleetIncidents()));
        thread = new Thread(this::loop, "handoff-console-feed");
        thread.setDaemon(true);
    }

    public IncidentFeed addListener(Listener l) {
        listeners.add(l);
        return this;
    }

    public IncidentFeed start() {
        started = true;
        thread.start();
        return this;
    }

    public IncidentBoard board() {
        return board;
    }

    /** Whether the feed has read every record that was on its topics when it assigned them. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Records read so far. */
    public long read() {
        return read.get();
    }

    /** Records that did not deserialize. */
    public long skipped() {
        return skipped.get();
    }

    private void loop() {
        long nextCheck = 0;
        try {
            while (running) {
                if (!missing.isEmpty() && System.nanoTime() >= nextCheck) {
                    assignNewTopics();
                    nextCheck = System.nanoTime() + RECHECK.toNanos();
                }
                if (consumer.assignment().isEmpty()) {
                    sleep(200);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    handle(r);
                }
                if (!caughtUp) {
                    checkCaughtUp();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("console feed stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void assignNewTopics() {
        List<TopicPartition> found = new ArrayList<>(consumer.assignment());
        boolean added = false;
        for (String topic : new ArrayList<>(missing)) {
            List<PartitionInfo> parts;
            try {
                parts = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (TimeoutException e) {
                continue;
            }
            if (parts == null || parts.isEmpty()) {
                continue;
            }
            for (PartitionInfo p : parts) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                found.add(tp);
            }
            missing.remove(topic);
            added = true;
        }
        if (!added) {
            return;
        }
        Set<TopicPartition> before = new HashSet<>(consumer.assignment());
        consumer.assign(found);
        List<TopicPartition> fresh = found.stream().filter(tp -> !before.contains(tp)).toList();
        consumer.seekToBeginning(fresh);
        catchUpTargets.putAll(consumer.endOffsets(fresh, Duration.ofSeconds(30)));
        caughtUp = false;
    }

    private void checkCaughtUp() {
        for (Map.Entry<TopicPartition, Long> e : catchUpTargets.entrySet()) {
            if (consumer.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
                return;
            }
        }
        catchUpTargets = new HashMap<>();
        caughtUp = true;
        for (Listener l : listeners) {
            l.caughtUp();
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        read.incrementAndGet();
        boolean live = caughtUp;
        try {
            if (r.topic().equals(topics.fleetIncidents())) {
                FleetIncident f = r.value() == null ? null : fleetSerde.deserializer().deserialize(r.topic(), r.headers(), r.value());
                if (f != null) {
                    board.accept(f);
                    tell(l -> l.fleetIncident(f, live));
                }
                return;
            }
            if (r.value() == null) {
                if (r.topic().equals(topics.incidentUpdates()) && r.key() != null) {
                    board.remove(new String(r.key(), StandardCharsets.UTF_8));
                }
                return;
            }
            Incident i = incidentSerde.deserializer().deserialize(r.topic(), r.headers(), r.value());
            if (board.accept(i)) {
                tell(l -> l.incident(i, live));
            }
        } catch (RuntimeException e) {
            skipped.incrementAndGet();
            LOG.warn("console feed: record {}-{}@{} skipped: {}", r.topic(), r.partition(), r.offset(), e.toString());
        }
    }

    private void tell(Consumer<Listener> call) {
        for (Listener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("console feed: listener {} failed", l, e);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        if (started) {
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(Duration.ofSeconds(5));
        }
        incidentSerde.close();
        fleetSerde.close();
    }
}
