package io.handoff.fleet;

import io.handoff.avro.RootCause;
import org.apache.kafka.common.serialization.Serde;

import java.util.ArrayList;
import java.util.List;

/**
 * An open fleet window of one fleet and root cause, anchored at the start of the first incident that
 * opened it; its hosts are separate entries ({@link Member}) so a window of 10,000 hosts is updated
 * one small entry at a time.
 */
record WindowHeader(String fleet, RootCause rootCause, long anchor) {
    static final Serde<WindowHeader> SERDE = Codec.serde("fleet window", 1,
            (w, out) -> {
                Codec.writeNullable(out, w.fleet);
                out.writeUTF(w.rootCause.name());
                out.writeLong(w.anchor);
            },
            in -> new WindowHeader(Codec.readNullable(in), RootCause.valueOf(in.readUTF()), in.readLong()));

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
