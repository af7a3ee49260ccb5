package io.handoff.siem;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.util.function.Function;

/**
 * Mirrors incidents (or fleet incidents) as ECS JSON onto {@code handoff.incidents-ecs}, keyed by the
 * incident id so that a SIEM sink can upsert rather than duplicate. Stateless.
 *
 * @param <V> Incident or FleetIncident
 */
public final class EcsMirror<V> implements Processor<String, V, String, String> {
    private final Function<V, String> id;
    private final Function<V, String> format;
    private ProcessorContext<String, String> context;

    public EcsMirror(Function<V, String> id, Function<V, String> format) {
        this.id = id;
        this.format = format;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, V> record) {
        if (record.value() != null) {
            context.forward(new Record<>(id.apply(record.value()), format.apply(record.value()), record.timestamp()));
        }
    }
}
