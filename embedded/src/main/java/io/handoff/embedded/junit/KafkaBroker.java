package io.handoff.embedded.junit;

import io.handoff.embedded.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * JUnit 5 extension that gives tests a real Kafka broker: one per test JVM, started on first use,
 * kept in the root {@link ExtensionContext.Store} and closed when the run ends.
 *
 * <pre>{@code
 * @KafkaBroker.Use
 * class ShipperIT {
 *     @BeforeAll static void topics() { … KafkaBroker.bootstrapServers() … }
 *     @Test void ships(@KafkaBroker.Bootstrap String bootstrap) { … }
 * }
 * }</pre>
 *
 * <p>The kind of broker comes from {@code -Dkafka.broker} (surefire passes it through):
 * <ul>
 *   <li>{@code auto} (default): a Testcontainers {@code KafkaContainer} ({@value #IMAGE}) when Docker is
 *       available, else {@link EmbeddedKafka} in this JVM;</li>
 *   <li>{@code docker}: Testcontainers, failing when Docker is absent;</li>
 *   <li>{@code embedded}: always {@link EmbeddedKafka}.</li>
 * </ul>
 * Testcontainers is an optional dependency: without it on the test classpath, {@code auto} uses the
 * embedded broker. Topics are never auto-created on either kind; tests create theirs (see
 * {@link #createTopics}) with names of their own so that test classes sharing the broker do not
 * interfere.
 */
public final class KafkaBroker implements BeforeAllCallback, ParameterResolver {
    private static final Logger log = LoggerFactory.getLogger(KafkaBroker.class);

    /** The Docker image of the Testcontainers broker: the same Kafka release as the clients. */
    public static final String IMAGE = "apache/kafka:4.3.1";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KafkaBroker.class);
    private static volatile Running current;

    /** Puts {@link KafkaBroker} on a test class. */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @ExtendWith(KafkaBroker.class)
    public @interface Use {}

    /** Marks a {@code String} parameter that receives {@code bootstrap.servers}. */
    @Target(ElementType.PARAMETER)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Bootstrap {}

    /** The kind of broker this run uses. */
    public enum Kind { EMBEDDED, DOCKER }

    /** A started broker: the value kept in the root store, closed by JUnit at the end of the run. */
    public static final class Running implements AutoCloseable {
        private final String bootstrap;
        private final Kind kind;
        private final AutoCloseable handle;
        private boolean closed;

        Running(String bootstrap, Kind kind, AutoCloseable handle) {
            this.bootstrap = bootstrap;
            this.kind = kind;
            this.handle = handle;
        }

        public String bootstrapServers() {
            return bootstrap;
        }

        public Kind kind() {
            return kind;
        }

        @Override
        public synchronized void close() throws Exception {
            if (!closed) {
                closed = true;
                current = null;
                log.info("stopping the {} Kafka broker at {}", kind.name().toLowerCase(Locale.ROOT), bootstrap);
                handle.close();
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        running(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        return parameter.isAnnotated(Bootstrap.class) && parameter.getParameter().getType() == String.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
        return running(extension).bootstrapServers();
    }

    /** The broker of this run, started on first call. */
    public static Running running(ExtensionContext context) {
        Running r = context.getRoot().getStore(NS).getOrComputeIfAbsent(Running.class, k -> start(), Running.class);
        current = r;
        return r;
    }

    /**
     * {@code bootstrap.servers} of this run's broker, for {@code @BeforeAll}/{@code @AfterAll} and
     * helpers that have no parameter to inject into. The class must carry {@link Use}.
     */
    public static String bootstrapServers() {
        Running r = current;
        if (r == null) {
            throw new IllegalStateException("no Kafka broker is running: annotate the test class with @KafkaBroker.Use");
        }
        return r.bootstrapServers();
    }

    /** Creates topics that do not exist yet (replication factor 1) on this run's broker. */
    public static void createTopics(Map<String, Integer> nameToPartitions) {
        try (Admin admin = Admin.create(
                Map.of("bootstrap.servers", bootstrapServers()))) {
            EmbeddedKafka.createTopics(admin, nameToPartitions, Duration.ofSeconds(30));
        }
    }

    static Running start() {
        String mode = System.getProperty("kafka.broker", "auto").trim().toLowerCase(Locale.ROOT);
        if (mode.isEmpty() || mode.startsWith("${")) {
            mode = "auto";   // surefire passes an unset property through literally
        }
        switch (mode) {
            case "embedded":
                return embedded("-Dkafka.broker=embedded");
            case "docker":
                if (!testcontainersPresent()) {
                    throw new IllegalStateException("-Dkafka.broker=docker: Testcontainers (org.testcontainers:kafka)"
                            + " is not on the test classpath");
                }
                if (!Docker.available()) {
                    throw new IllegalStateException("-Dkafka.broker=docker: no Docker environment found"
                            + " (use -Dkafka.broker=auto or embedded to run with the in-process broker)");
                }
                return Docker.start();
            case "auto":
                if (testcontainersPresent() && Docker.available()) {
                    return Docker.start();
                }
                return embedded(testcontainersPresent() ? "Docker is not available" : "Testcontainers is not on the classpath");
            default:
                throw new IllegalStateException("-Dkafka.broker=" + mode + ": expected auto, docker or embedded");
        }
    }

    private static Running embedded(String why) {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        log.info("Kafka broker for tests: in-process KRaft at {} ({}; started in {} ms)",
                kafka.bootstrapServers(), why, kafka.startupTime().toMillis());
        return new Running(kafka.bootstrapServers(), Kind.EMBEDDED, kafka);
    }

    private static boolean testcontainersPresent() {
        try {
            Class.forName("org.testcontainers.kafka.KafkaContainer", false, KafkaBroker.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Only loaded when Testcontainers is on the classpath. */
    private static final class Docker {
        static boolean available() {
            try {
                return DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        }

        static Running start() {
            KafkaContainer container = new KafkaContainer(
                    DockerImageName.parse(IMAGE))
                    .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                    .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
            long t0 = System.nanoTime();
            container.start();
            log.info("Kafka broker for tests: Testcontainers {} at {} (started in {} ms)", IMAGE,
                    container.getBootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
            return new Running(container.getBootstrapServers(), Kind.DOCKER, container::stop);
        }
    }
}
