package io.handoff.bench;

import io.handoff.config.HandoffConfig;
import io.handoff.app.Offsets;
import io.handoff.app.Topics;
import io.handoff.avro.Incident;
import io.handoff.avro.SourceKind;
import io.handoff.avro.Warning;
import io.handoff.common.CloseGate;
import io.handoff.common.HandoffMetrics;
import io.handoff.common.InputProgress;
import io.handoff.serde.SpecificAvroSerde;
import io.handoff.topics.TopicNames;
import io.handoff.topology.HandoffTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * One run of the real topology on its own topics (prefix) and application id: {@code n} KafkaStreams
 * instances sharing the id, each with its own state directory, exactly_once_v2, plus a
 * read_committed reader of the incidents and warnings topics that notes when each record arrived.
 * Completion is read from the application's committed offsets, never guessed from time.
 */
final class Pipeline implements AutoCloseable {
    final String bootstrap;
    final HandoffConfig config;
    final String appId;
    final HandoffMetrics metrics = new HandoffMetrics();
    final List<Instance> instances = new ArrayList<>();
    private final Admin admin;
    private final Reader reader;
    private final InputProgress progress;

    /** One KafkaStreams instance and the switch that kills it. */
    static final class Instance {
        final KafkaStreams streams;
        final Path stateDir;
        /** Shared with the instance's {@link KillableSupplier}. */
        final AtomicBoolean killed;
        volatile Throwable failure;

        Instance(KafkaStreams streams, Path stateDir, AtomicBoolean killed) {
            this.streams = streams;
            this.stateDir = stateDir;
            this.killed = killed;
        }
    }

    /** An incident or warning as read from its topic, with the wall-clock time it was read. */
    record Output(String type, String id, String host, String cause, long startedAt, long endedAt, long arrivedAt) {}

    /**
     * @param killable whether the last instance can be crashed by {@link #kill(int)}
     */
    Pipeline(String bootstrap, HandoffConfig base, String prefix, int partitions, int instanceCount, boolean killable,
             Path stateRoot, String registryUrl) {
        this.bootstrap = bootstrap;
        this.appId = prefix + "-app";
        Map<String, String> streamsProps = new HashMap<>(base.streams());
        streamsProps.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        streamsProps.put("schema.registry.url", registryUrl);
        this.config = base.withTopics(new TopicNames(prefix)).withStreams(streamsProps);
        Map<String, Object> a = new HashMap<>();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(a);
        createTopics(partitions);
        // a host's silence closes its incident only while its partition is caught up, as in handoff run
        this.progress = InputProgress.start(a, appId, Topics.raw(config.topics()), config.topics().correlateInput(),
                Duration.ofSeconds(1));
        CloseGate gate = CloseGate.live(progress);
        for (int i = 0; i < instanceCount; i++) {
            Path dir = stateRoot.resolve(prefix + "-" + i);
            Properties p = HandoffTopology.streamsProperties(config, appId, metrics);
            p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
            p.put(StreamsConfig.CLIENT_ID_CONFIG, appId + "-" + i);
            AtomicBoolean killed = new AtomicBoolean();
            // the kill switch costs a reflective call per send: only the instance that may be killed has it
            KafkaStreams s = killable && i == instanceCount - 1
                    ? new KafkaStreams(HandoffTopology.build(config, metrics, gate), p, new KillableSupplier(killed))
                    : new KafkaStreams(HandoffTopology.build(config, metrics, gate), p);
            Instance inst = new Instance(s, dir, killed);
            s.setUncaughtExceptionHandler(e -> {
                inst.failure = e;
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            instances.add(inst);
        }
        this.reader = new Reader(config, bootstrap);
    }

    private void createTopics(int partitions) {
        TopicNames t = config.topics();
        List<NewTopic> topics = new ArrayList<>();
        for (SourceKind k : SourceKind.values()) {
            topics.add(new NewTopic(t.raw(k), Optional.of(partitions), Optional.empty()).configs(BenchCommand.KEEP_RECORDS));
        }
        for (String n : List.of(t.events(), t.correlateInput(), t.incidents(), t.incidentUpdates(), t.warnings(), t.fleetIncidents(), t.deadLetter(),
                t.incidentsEcs())) {
            topics.add(new NewTopic(n, Optional.of(partitions), Optional.empty()).configs(BenchCommand.KEEP_RECORDS));
        }
        try {
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("creating the bench topics (" + t.prefix() + ".*): " + e.getMessage(), e);
        }
    }

    /** Starts every instance and waits until all are RUNNING. */
    void start(Duration timeout) {
        instances.forEach(i -> i.streams.start());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (instances.stream().anyMatch(i -> i.streams.state() != KafkaStreams.State.RUNNING)) {
            checkFailed();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the topology did not reach RUNNING within " + timeout);
            }
            reader.poll(50);
        }
    }

    /** Stops processing on every instance (they go on fetching), so a shipped stream waits as a backlog. */
    void pause() {
        instances.forEach(i -> i.streams.pause());
    }

    /**
     * Resumes processing once the live instances have fetched every raw partition that holds records: a
     * parse task merges its six raw partitions by timestamp only among records it has fetched, and one
     * that resumed while a partition's records were still on their way would process the others ahead
     * of them (see ReplayShipping). Gives up waiting after {@code timeout} and resumes anyway.
     *
     * @return whether every partition had been fetched
     */
    boolean resumeWhenFetched(Duration timeout) {
        Map<TopicPartition, Offsets.Span> backlog = new HashMap<>();
        rawTargets().forEach((tp, end) -> backlog.put(tp, new Offsets.Span(0, end)));
        Object cap = config.streams().get(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG);
        long buffered = cap == null ? 1000 : Long.parseLong(cap.toString().strip());
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean fetched;
        while (!(fetched = Offsets.backlogFetched(alive().stream().map(i -> i.streams).toList(), backlog, buffered))
                && System.nanoTime() < deadline) {
            checkFailed();
            reader.poll(20);
        }
        instances.forEach(i -> i.streams.resume());
        return fetched;
    }

    /** Raw records the application has consumed (committed offsets, summed). */
    long rawConsumed() {
        List<String> raw = new ArrayList<>();
        for (SourceKind k : SourceKind.values()) {
            raw.add(config.topics().raw(k));
        }
        return Offsets.committedTotal(admin, appId, raw);
    }

    /**
     * Crashes one instance: its producer starts failing mid-transaction (the open transaction is neither
     * committed nor aborted by the client: the broker aborts it when it times out), its threads die,
     * and its consumer leaves the group; the survivors take its tasks over.
     */
    void kill(int index) {
        if (index != instances.size() - 1) {
            throw new IllegalArgumentException("only the last instance can be killed");
        }
        Instance i = instances.get(index);
        i.killed.set(true);
        i.streams.close(Duration.ZERO);
    }

    void checkFailed() {
        for (Instance i : instances) {
            if (!i.killed.get() && (i.failure != null || i.streams.state() == KafkaStreams.State.ERROR)) {
                throw new IllegalStateException("the topology failed: "
                        + (i.failure == null ? "state ERROR" : i.failure.toString()), i.failure);
            }
        }
    }

    List<Instance> alive() {
        return instances.stream().filter(i -> !i.killed.get()).toList();
    }

    void poll(long ms) {
        reader.poll(ms);
    }

    List<Output> outputs() {
        return reader.outputs();
    }

    // ---- completion ----

    Map<TopicPartition, Long> rawTargets() {
        List<String> raw = new ArrayList<>();
        for (SourceKind k : SourceKind.values()) {
            raw.add(config.topics().raw(k));
        }
        return endOffsets(raw);
    }

    Map<TopicPartition, Long> eventTargets() {
        return lastDataOffsets(config.topics().correlateInput());
    }

    /** Whether the application's committed offsets have reached the targets. */
    boolean consumed(Map<TopicPartition, Long> targets) {
        return Offsets.consumed(admin, appId, targets);
    }

    /** Open incidents/warnings over the live instances' stores; -1 while any cannot be queried. */
    long open() {
        long n = 0;
        for (Instance i : alive()) {
            long o = HandoffTopology.openIncidents(i.streams);
            if (o < 0) {
                return -1;
            }
            n += o;
        }
        return n;
    }

    boolean drained() {
        return reader.drained();
    }

    private Map<TopicPartition, Long> endOffsets(List<String> topics) {
        return Offsets.end(admin, topics, IsolationLevel.READ_COMMITTED);
    }

    private Map<TopicPartition, Long> lastDataOffsets(String topic) {
        return Offsets.lastData(admin, bootstrap, List.of(topic));
    }

    // ---- measurements ----

    /** Bytes of each store's RocksDB folders over the live instances (state.dir/&lt;app&gt;/&lt;task&gt;/rocksdb/&lt;store&gt;). */
    Map<String, Long> storeDirectoryBytes() {
        Map<String, Long> out = new TreeMap<>();
        for (Instance i : alive()) {
            Path app = i.stateDir.resolve(appId);
            if (!Files.isDirectory(app)) {
                continue;
            }
            try (Stream<Path> tasks = Files.list(app)) {
                for (Path task : tasks.toList()) {
                    Path rocks = task.resolve("rocksdb");
                    if (!Files.isDirectory(rocks)) {
                        continue;
                    }
                    try (Stream<Path> stores = Files.list(rocks)) {
                        for (Path store : stores.toList()) {
                            out.merge(store.getFileName().toString(), treeSize(store), Long::sum);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    static long treeSize(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Sum of one RocksDB metric of group stream-state-metrics per store over the live instances. */
    Map<String, Double> rocksMetric(String name) {
        Map<String, Double> out = new TreeMap<>();
        for (Instance i : alive()) {
            for (Map.Entry<MetricName, ? extends Metric> e : i.streams.metrics().entrySet()) {
                MetricName m = e.getKey();
                if (m.group().equals("stream-state-metrics") && m.name().equals(name)) {
                    Object v = e.getValue().metricValue();
                    String store = m.tags().getOrDefault("rocksdb-state-id", m.tags().getOrDefault("state-id", "?"));
                    if (v instanceof Number n) {
                        out.merge(store, n.doubleValue(), Double::sum);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (Instance i : instances) {
            if (!i.killed.get()) {
                i.streams.close(Duration.ofSeconds(30));
            }
            i.streams.cleanUp();
        }
        reader.close();
        progress.close();
        admin.close(Duration.ofSeconds(5));
    }

    /**
     * read_committed reader of the incidents, incident-updates and warnings topics, noting each record's
     * arrival; an update is of type {@code update-OPEN} or {@code update-CLOSED}.
     */
    static final class Reader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final SpecificAvroSerde<Incident> incidents = new SpecificAvroSerde<>(Incident.class);
        private final SpecificAvroSerde<Warning> warnings = new SpecificAvroSerde<>(Warning.class);
        private final String incidentTopic;
        private final String updatesTopic;
        private final List<Output> out = new ArrayList<>();

        Reader(HandoffConfig config, String bootstrap) {
            Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            incidents.configure(config.streams(), false);
            warnings.configure(config.streams(), false);
            incidentTopic = config.topics().incidents();
            updatesTopic = config.topics().incidentUpdates();
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(incidentTopic, updatesTopic, config.topics().warnings())) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    parts.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        synchronized void poll(long ms) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(ms))) {
                long now = System.currentTimeMillis();
                if (r.topic().equals(incidentTopic) || r.topic().equals(updatesTopic)) {
                    Incident i = incidents.deserializer().deserialize(r.topic(), r.headers(), r.value());
                    String type = r.topic().equals(incidentTopic) ? "incident" : "update-" + i.getStatus().name();
                    out.add(new Output(type, i.getId(), i.getHost(), i.getRootCause().name(),
                            i.getStartedAt().toEpochMilli(), i.getEndedAt().toEpochMilli(), now));
                } else {
                    Warning w = warnings.deserializer().deserialize(r.topic(), r.headers(), r.value());
                    out.add(new Output("warning", w.getId(), w.getHost(), w.getKind().name(),
                            w.getStartedAt().toEpochMilli(), w.getEndedAt().toEpochMilli(), now));
                }
            }
        }

        synchronized List<Output> outputs() {
            return List.copyOf(out);
        }

        synchronized boolean drained() {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                if (consumer.position(e.getKey(), Duration.ofSeconds(30)) < e.getValue()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public synchronized void close() {
            consumer.close(Duration.ofSeconds(5));
            incidents.close();
            warnings.close();
        }
    }

    /**
     * The default clients, with the producers behind a switch: once killed, every send, offset commit
     * and transaction commit fails and an abort does nothing, as if the process had died mid-transaction.
     */
    static final class KillableSupplier extends DefaultKafkaClientSupplier {
        private final AtomicBoolean killed;

        KillableSupplier(AtomicBoolean killed) {
            this.killed = killed;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
            Producer<byte[], byte[]> real = super.getProducer(config);
            return (Producer<byte[], byte[]>) Proxy.newProxyInstance(Producer.class.getClassLoader(),
                    new Class<?>[] {Producer.class}, (proxy, method, args) -> {
                        if (killed.get()) {
                            switch (method.getName()) {
                                case "send", "commitTransaction", "sendOffsetsToTransaction", "flush", "beginTransaction" ->
                                        throw new KafkaException("bench: this instance was killed");
                                case "abortTransaction" -> {
                                    return null;
                                }
                                case "close" -> {
                                    real.close(Duration.ZERO); // no abort of the open transaction: a crash
                                    return null;
                                }
                                default -> { }
                            }
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
