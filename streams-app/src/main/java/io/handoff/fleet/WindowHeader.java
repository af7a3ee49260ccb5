package io.handoff.fleet;

import org.apache.kafka.common.serialization.Serde;

import java.util.ArrayList;
import java.util.List;

/**
 * The pending host incidents of one fleet and trigger ({@link Member#trigger()}: an FPM reload, or the
 * root cause when no shared trigger is known): {@code anchor} is the earliest start among them, where
 * the next fleet window begins. The incidents are separate entries ({@link Member}) so a window of
 * 10,000 hosts is updated one small entry at a time.
 *
 * <p>Encoding 1 holds the trigger where it used to hold the root cause's name (the same string for an
 * incident without a shared trigger), so headers written before triggers existed read as they are.
 */
record WindowHeader(String fleet, String trigger, long anchor) {
    static final Serde<WindowHeader> SERDE = Codec.serde("fleet window", 1,
            (w, out) -> {
                Codec.writeNullable(out, w.fleet);
                out.writeUTF(w.trigger);
                out.writeLong(w.anchor);
            },
            in -> new WindowHeader(Codec.readNullable(in), in.readUTF(), in.readLong()));

    /** Window starts of earlier fleet incidents of one fleet and cause (the recurrence history). */
    static final Serde<List<Long>> HISTORY = Codec.serde("fleet recurrence history", 1,
            (l, out) -> {
                out.writeInt(l.size());
                for (long t : l) {
                    out.writeLong(t);
                }
            },
            in -> {
                int n = in.readInt();
                List<Long> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(in.readLong());
                }
                return l;
            });
}
