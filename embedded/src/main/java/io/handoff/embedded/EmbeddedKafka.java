package io.handoff.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running in this JVM: for
 * {@code handoff demo}/{@code replay} without a cluster, and for integration tests.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopics(Map.of("handoff.raw.nginx-error", 3));
 *     String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:<port>"
 * }
 * }</pre>
 *
 * <p>Listeners are bound to 127.0.0.1 on free ports. Ports are picked by binding port 0 and releasing
 * it, which leaves a short race with other processes; a bind failure at startup is therefore retried
 * with new ports (up to {@value #BIND_ATTEMPTS} times). Every setting that a single node needs is set
 * (replication factor 1 for the offsets, transaction-state and share-state topics, no initial
 * rebalance delay, no topic auto-creation). The broker's log directory is a fresh temporary folder
 * (or a folder under the one given to {@link #start(Path)}) and is deleted by {@link #close()}.
 *
 * <p><b>Logging.</b> The broker logs through slf4j like the application. Its INFO output (full
 * configuration dumps, one line per segment, group and partition change) is noise for a demo, so
 * {@link #quietBrokerLogging()} sets the {@code org.slf4j.simpleLogger.log.<name>} system property to
 * {@code warn} for the broker's logger names — only when the property is not set already, so
 * {@code -Dorg.slf4j.simpleLogger.log.kafka=info} on the command line still wins. System properties
 * rather than a {@code simplelogger.properties} resource, because a resource in this jar would
 * replace the application's own logging configuration. slf4j-simple fixes a logger's level when the
 * logger is created, so call it before the first broker class is used; {@link #start()} calls it
 * before it starts the broker (the broker's loggers do not exist before that). With another slf4j binding (logback, log4j2) the properties are
 * harmless and that binding's configuration decides.
 *
 * <p>Tested with {@code -Xmx256m} (broker, producer and consumer in one JVM).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    static final int BIND_ATTEMPTS = 5;
    private static final int NODE_ID = 1;
    static final long CLOSE_TIMEOUT_SECONDS = 30;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(CLOSE_TIMEOUT_SECONDS);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** Logger names (prefixes) of the broker side; the application's clients keep their levels. */
    private static final List<String> QUIET_LOGGERS = List.of(
            "kafka",                              // the Scala broker: kafka.server, kafka.log, kafka.network …
            "state.change.logger",
            "org.apache.kafka.server",
            "org.apache.kafka.raft",
            "org.apache.kafka.controller",
            "org.apache.kafka.metadata",
            "org.apache.kafka.image",
            "org.apache.kafka.storage",
            "org.apache.kafka.coordinator",
            "org.apache.kafka.security",
            "org.apache.kafka.snapshot",
            "org.apache.kafka.queue",
            "org.apache.kafka.network",
            "org.apache.kafka.common.network",
            "org.apache.kafka.common.config",      // "KafkaConfig values: …" (200 lines), also "ProducerConfig values"
            "org.apache.kafka.common.utils.AppInfoParser",
            "org.apache.kafka.common.metrics",
            "org.apache.kafka.common.telemetry",
            "org.apache.kafka.clients.NetworkClient");

    private final KafkaRaftServer server;
    private final Path logDir;
    /** Deleted on close: the temporary root, or the broker's sub-folder of a caller's folder. */
    private final Path ownedDir;
    private final int brokerPort;
    private final String bootstrap;
    private final Duration startupTime;
    private Admin admin;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path ownedDir, Path logDir, int brokerPort, Duration startupTime) {
        this.server = server;
        this.ownedDir = ownedDir;
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.bootstrap = "127.0.0.1:" + brokerPort;
        this.startupTime = startupTime;
    }

    /** Starts a broker whose data lives in a new temporary folder, deleted on {@link #close()}. */
    public static EmbeddedKafka start() {
        try {
            return start(Files.createTempDirectory("handoff-kafka-"), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for the embedded Kafka broker", e);
        }
    }

    /**
     * Starts a broker whose data lives in a new sub-folder of {@code dir} (created if missing). The
     * sub-folder is deleted on {@link #close()}; {@code dir} itself is kept.
     */
    public static EmbeddedKafka start(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the embedded Kafka folder " + dir, e);
        }
        return start(dir, false);
    }

    private static EmbeddedKafka start(Path root, boolean deleteRoot) {
        quietBrokerLogging();
        long t0 = System.nanoTime();
        RuntimeException last = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            Path logDir;
            try {
                logDir = Files.createTempDirectory(root, "kraft-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the broker log folder under " + root, e);
            }
            int brokerPort = freePort();
            int controllerPort = freePort();
            while (controllerPort == brokerPort) {
                controllerPort = freePort();
            }
            KafkaRaftServer server = null;
            try {
                Properties props = config(logDir, brokerPort, controllerPort);
                KafkaConfig config = new KafkaConfig(props, false);
                format(logDir);
                server = new KafkaRaftServer(config, Time.SYSTEM);
                server.startup();
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                log.debug("embedded Kafka broker on 127.0.0.1:{} (controller {}) started in {} ms, data in {}",
                        brokerPort, controllerPort, took.toMillis(), logDir);
                return new EmbeddedKafka(server, deleteRoot ? root : logDir, logDir, brokerPort, took);
            } catch (RuntimeException e) {
                last = e;
                stopQuietly(server);
                deleteRecursively(logDir);
                if (!isBindFailure(e)) {
                    if (deleteRoot) {
                        deleteRecursively(root);
                    }
                    throw new IllegalStateException("embedded Kafka broker failed to start (data folder " + logDir
                            + "): " + e.getMessage(), e);
                }
                log.debug("embedded Kafka: ports {}/{} taken meanwhile (attempt {} of {}), retrying",
                        brokerPort, controllerPort, attempt, BIND_ATTEMPTS);
            } catch (Exception e) {
                stopQuietly(server);
                deleteRecursively(logDir);
                if (deleteRoot) {
                    deleteRecursively(root);
                }
                throw new IllegalStateException("embedded Kafka broker: formatting " + logDir + " failed: "
                        + e.getMessage(), e);
            }
        }
        if (deleteRoot) {
            deleteRecursively(root);
        }
        throw new IllegalStateException("embedded Kafka broker: could not bind free ports on 127.0.0.1 in "
                + BIND_ATTEMPTS + " attempts", last);
    }

    /**
     * The single-node KRaft settings this broker runs with (also for a test that must restart a broker
     * on the same ports and data).
     */
    public static Properties config(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // a single node: every internal topic with replication factor 1, or groups/transactions never start
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        // small footprint: the default cleaner buffer alone is 128 MB of heap
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        // replays give each record its event time as Kafka timestamp: with the default 7-day time
        // retention, the broker deletes the records of logs older than a week about 30 s after they
        // are written (and with them idempotent producers' state: OUT_OF_ORDER_SEQUENCE_NUMBER). This
        // broker lives for one demo, replay or test run, so nothing expires by time.
        p.put("log.retention.ms", "-1");
        return p;
    }

    private static void format(Path logDir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir.toString())
                .setDirectories(List.of(logDir.toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("Address already in use") || m.contains("failed to bind"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sets slf4j-simple's level for the broker's loggers to WARN unless already configured; see the
     * class comment. Idempotent, cheap; call it before any Kafka class logs.
     */
    public static void quietBrokerLogging() {
        for (String name : QUIET_LOGGERS) {
            String key = "org.slf4j.simpleLogger.log." + name;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
        }
    }

    /** {@code 127.0.0.1:<port>}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrap;
    }

    public int port() {
        return brokerPort;
    }

    /** The broker's data folder (deleted on close). */
    public Path logDir() {
        return logDir;
    }

    /** How long {@link #start()} took, bind retries included. */
    public Duration startupTime() {
        return startupTime;
    }

    /**
     * Creates the topics that do not exist yet (replication factor 1). An existing topic is left as it
     * is, whatever its partition count. Returns the names that were created.
     */
    public synchronized List<String> createTopics(Map<String, Integer> nameToPartitions) {
        if (closed) {
            throw new IllegalStateException("embedded Kafka broker is closed");
        }
        if (admin == null) {
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cfg.put(AdminClientConfig.CLIENT_ID_CONFIG, "handoff-embedded-admin");
            admin = Admin.create(cfg);
        }
        return createTopics(admin, nameToPartitions, ADMIN_TIMEOUT);
    }

    /** Like {@link #createTopics(Map)}, through any admin client (also for a Testcontainers broker). */
    public static List<String> createTopics(Admin admin, Map<String, Integer> nameToPartitions, Duration timeout) {
        List<NewTopic> topics = new ArrayList<>();
        nameToPartitions.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
        Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> r : results.entrySet()) {
            try {
                r.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                created.add(r.getKey());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("creating topic " + r.getKey() + " failed: "
                            + e.getCause().getMessage(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("creating topic " + r.getKey() + ": no answer within " + timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + r.getKey(), e);
            }
        }
        awaitLeaders(admin, created, timeout);
        return created;
    }

    /**
     * Waits (bounded) until every partition of the topics has a leader that hosts it. The broker publishes a
     * new topic's leaders to its metadata cache (what metadata and describe requests answer from) before its
     * replica manager has created the partitions' logs, and refuses a produce request in between with
     * NOT_LEADER_OR_FOLLOWER: on a loaded machine, 14 of 15 rounds of "create 6 topics of 3 partitions, wait for
     * leaders in the metadata, send one record to each partition" had such refusals. So once the metadata lists
     * a leader for every partition, each partition's end offset is asked of its leader, which answers from the
     * log (the admin client retries NOT_LEADER_OR_FOLLOWER until then). A refused first batch cost an idempotent
     * producer with several requests in flight that batch; see the shipper's producer settings.
     */
    static void awaitLeaders(Admin admin, List<String> topics, Duration timeout) {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> partitions = awaitLeadersInMetadata(admin, topics, timeout);
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        try {
            admin.listOffsets(latest).all().get(left, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("topics " + topics + ": a leader does not answer from its log: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("topics " + topics + ": a leader does not answer from its log after " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the leaders of " + topics, e);
        }
    }

    /** Waits until the broker's metadata lists a leader for every partition of the topics, and returns them. */
    static List<TopicPartition> awaitLeadersInMetadata(Admin admin, List<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                boolean ready = described.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && p.leader().id() >= 0);
                if (ready) {
                    List<TopicPartition> partitions = new ArrayList<>();
                    described.values().forEach(d -> d.partitions()
                            .forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
                    return partitions;
                }
            } catch (ExecutionException | TimeoutException e) {
                // not known yet: ask again until the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the leaders of " + topics, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + topics + " have no leader after " + timeout);
            }
            try {
                Thread.sleep(50); // polling the broker's metadata, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the leaders of " + topics, e);
            }
        }
    }

    /**
     * Stops the broker (controlled shutdown, at most {@value #CLOSE_TIMEOUT_SECONDS} s) and deletes its
     * data. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        Thread stopper = new Thread(() -> stopQuietly(server), "embedded-kafka-shutdown");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopper.isAlive()) {
            log.warn("embedded Kafka broker on {} did not stop within {} s; leaving it to the JVM exit",
                    bootstrap, CLOSE_TIMEOUT.toSeconds());
        }
        deleteRecursively(ownedDir);
        log.debug("embedded Kafka broker on {} stopped in {} ms", bootstrap,
                Duration.ofNanos(System.nanoTime() - t0).toMillis());
    }

    private static void stopQuietly(KafkaRaftServer server) {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("embedded Kafka broker shutdown: {}", e.toString());
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("could not delete the embedded Kafka folder {}: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrap + ", " + logDir + "]";
    }
}
