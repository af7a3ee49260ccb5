package io.handoff.app;

import io.handoff.common.HandoffMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code /metrics} of {@code handoff run} exposes, in Prometheus text format 0.0.4, through
 * Micrometer: handoff's counters ({@code handoff_lines_total{source}},
 * {@code handoff_dead_letters_total{source,stage}}, {@code handoff_late_total{source,outcome}},
 * {@code handoff_incidents_total{root_cause}}, {@code handoff_warnings_total{kind}},
 * {@code handoff_fleet_incidents_total{root_cause}}, …, every one present at 0 from the start), the
 * gauges {@code handoff_open_incidents} and {@code handoff_streams_running} (1 while Kafka Streams is
 * RUNNING or REBALANCING), every Kafka Streams and client metric through Micrometer's Kafka Streams
 * binder ({@code kafka_consumer_fetch_manager_records_lag_max}, {@code kafka_stream_thread_…}), and the
 * JVM's memory, GC, threads, CPU and uptime. The alert rules in {@code deploy/prometheus} use these names.
 */
final class PrometheusMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HandoffMetrics handoff = new HandoffMetrics(registry);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private KafkaStreamsMetrics streamsMetrics;

    PrometheusMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The counters the topology records in; they are scraped from this registry. */
    HandoffMetrics handoff() {
        return handoff;
    }

    /**
     * Binds the running application: its Kafka Streams metrics, the number of open incidents and
     * whether it is running.
     */
    void bind(KafkaStreams streams, LongSupplier openIncidents) {
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        bindGauges(streams::state, openIncidents);
    }

    /** The two gauges alone (for a test without a Kafka Streams client). */
    void bindGauges(Supplier<KafkaStreams.State> state, LongSupplier openIncidents) {
        Gauge.builder("handoff.open.incidents", () -> Math.max(0, openIncidents.getAsLong()))
                .description("Host incidents open in this instance's correlator.").register(registry);
        Gauge.builder("handoff.streams.running", () -> {
            KafkaStreams.State s = state.get();
            return s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING ? 1 : 0;
        }).description("1 while Kafka Streams is RUNNING or REBALANCING, else 0.").register(registry);
    }

    /** The exposition, Prometheus text format 0.0.4. */
    String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        gc.close();
        registry.close();
    }
}
