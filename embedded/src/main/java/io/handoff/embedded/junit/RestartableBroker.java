package io.handoff.embedded.junit;

import io.handoff.embedded.EmbeddedKafka;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real single-node KRaft broker on ports fixed up front, that can be stopped and started again on
 * the same ports and data: a Kafka outage as clients see it. {@link io.handoff.embedded.EmbeddedKafka}
 * picks new ports on every start, so the "Kafka down, then back" tests (the shipper's, the correlator's)
 * use this instead; the settings are the same single-node ones.
 */
public final class RestartableBroker implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private KafkaRaftServer server;
    private boolean formatted;

    /** A broker whose data lives in {@code dir} (created on the first start); not started yet. */
    public RestartableBroker(Path dir) {
        this(dir, Map.of());
    }

    /**
     * The same, with broker settings over the single-node ones (a short {@code log.retention.check.interval.ms},
     * a stricter {@code log.message.timestamp.after.max.ms}: the retention and fault tests).
     */
    public RestartableBroker(Path dir, Map<String, String> overrides) {
        this.dir = dir;
        this.overrides = Map.copyOf(overrides);
        this.port = freePort();
        int c = freePort();
        while (c == port) {
            c = freePort();
        }
        this.controllerPort = c;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The broker's port on 127.0.0.1 (for a relay in front of it). */
    public int port() {
        return port;
    }

    /** Starts it (formatting the data folder the first time); the same ports and data every time. */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("already running");
        }
        EmbeddedKafka.quietBrokerLogging();
        Properties p = EmbeddedKafka.config(dir, port, controllerPort);
        p.putAll(overrides);
        if (!formatted) {
            try {
                new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8))
                        .setNodeId(1).setClusterId(Uuid.randomUuid().toString())
                        .setControllerListenerName("CONTROLLER")
                        .setMetadataLogDirectory(dir.toString()).setDirectories(List.of(dir.toString()))
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION).run();
            } catch (Exception e) {
                throw new IllegalStateException("formatting " + dir + ": " + e.getMessage(), e);
            }
            formatted = true;
        }
        server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
        server.startup();
    }

    public synchronized boolean running() {
        return server != null;
    }

    /** Stops it, as an outage: clients see the broker go away. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
