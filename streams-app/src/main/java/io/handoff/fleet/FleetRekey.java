package io.handoff.fleet;

import io.handoff.avro.Incident;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Host incidents (key host) → {@link Member}s keyed by {@code fleet|trigger} (an FPM reload, or the root
 * cause), timestamped with the incident's start, for the repartition topic. Only the projection
 * travels: the evidence stays on {@code handoff.incidents}.
 */
final class FleetRekey implements Processor<String, Incident, String, Member> {
    private ProcessorContext<String, Member> context;

    @Override
    public void init(ProcessorContext<String, Member> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, Incident> record) {
        Incident i = record.value();
        if (i == null) {
            return; // a tombstone on the incidents topic is not an incident
        }
        Member m = Member.of(i);
        context.forward(new Record<>(FleetStage.groupKey(i.getFleet(), m.trigger()), m, i.getStartedAt().toEpochMilli()));
    }
}
