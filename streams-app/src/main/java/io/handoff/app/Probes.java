package io.handoff.app;

import io.handoff.registry.SchemaRegistryClient;
import io.handoff.registry.SchemaRegistryException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the broker (describe cluster) and the schema registry (its global compatibility: any HTTP answer
 * counts, even an error) whether they answer, every {@code every}, and records it in {@link Reachability};
 * logs each change once (unreachable, reachable again). One daemon thread.
 */
final class Probes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Probes.class);

    private final Admin admin;
    private final SchemaRegistryClient registry;
    private final Reachability reach;
    private final Duration timeout;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "handoff-probes");
        t.setDaemon(true);
        return t;
    });

    Probes(Admin admin, SchemaRegistryClient registry, Reachability reach, Duration every) {
        this.admin = admin;
        this.registry = registry;
        this.reach = reach;
        this.timeout = every.compareTo(Duration.ofSeconds(5)) < 0 ? every : Duration.ofSeconds(5);
        long ms = Math.max(100, every.toMillis());
        timer.scheduleWithFixedDelay(this::checkAll, 0, ms, TimeUnit.MILLISECONDS);
    }

    private void checkAll() {
        try {
            broker();
            registry();
        } catch (RuntimeException e) {
            LOG.warn("probe failed: {}", e.toString());
        }
    }

    void broker() {
        long now = System.currentTimeMillis();
        boolean was = reach.state(Reachability.Dependency.BROKER).reachable();
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS).size();
            reach.reachable(Reachability.Dependency.BROKER, now);
            if (!was) {
                LOG.info("the broker answers again ({} node(s))", nodes);
            }
        } catch (ExecutionException | TimeoutException e) {
            String detail = e instanceof ExecutionException && e.getCause() != null ? e.getCause().toString() : "no answer within "
                    + timeout.toMillis() + " ms";
            reach.unreachable(Reachability.Dependency.BROKER, now, detail);
            if (was) {
                LOG.warn("the broker does not answer ({}); Kafka Streams retries, /health says DOWN after handoff.unreachable-after",
                        detail);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void registry() {
        if (registry == null) {
            return;
        }
        long now = System.currentTimeMillis();
        boolean was = reach.state(Reachability.Dependency.REGISTRY).reachable();
        try {
            registry.getCompatibility(null);
            reach.reachable(Reachability.Dependency.REGISTRY, now);
        } catch (SchemaRegistryException e) {
            if (!e.isUnavailable()) {
                reach.reachable(Reachability.Dependency.REGISTRY, now); // it answered
            } else {
                reach.unreachable(Reachability.Dependency.REGISTRY, now, e.getMessage());
                if (was) {
                    LOG.warn("the schema registry does not answer ({}); the application goes on with the schema ids it has"
                            + " cached, /health says DEGRADED after handoff.unreachable-after", e.getMessage());
                }
                return;
            }
        }
        if (!was) {
            LOG.info("the schema registry {} answers again", registry.describe());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
