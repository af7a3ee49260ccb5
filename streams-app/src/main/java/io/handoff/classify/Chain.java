package io.handoff.classify;

import io.handoff.avro.RootCause;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A causal chain, built backwards from an effect along the {@link Taxonomy}'s edges: at each step the
 * events that can cause the current one (an edge of the table) and were in effect when it happened
 * (their spans overlap, give or take a second) are the candidates; one that explains another candidate
 * is left for the next step (a slow call explains the pool filling up, which explains the EAGAIN); of
 * the rest the one linked to the effect (same worker pid, same request) wins, then an event of one
 * worker over a state of the pool (a segfault in the second of a reset explains it better than the
 * reload of the same second), then the kind most of the burst's lines show, then the nearest in time;
 * its earliest event is the step. A termination is explained only by its own request (the same pid).
 * The root is where nothing explains the step.
 *
 * @param steps one clue per step, root first; the last is the effect the chain was built for
 */
record Chain(List<Clue> steps) {

    /** Whether {@code cause} can have caused {@code effect}: an edge of the table, and the times agree. */
    static boolean explains(Clue cause, Clue effect) {
        if (cause.sign() == null || cause == effect) {
            return false;
        }
        boolean edge = effect.sign() == Sign.GATEWAY_ERRORS
                ? !cause.sign().symptom() && Taxonomy.of(cause.sign()) != null && causesASymptom(cause.sign())
                : Taxonomy.canCause(cause.sign(), effect.sign());
        if (!edge) {
            return false;
        }
        Clue span = cause;
        if (cause.sign() == Sign.FPM_RELOAD && effect.sign() == Sign.LISTEN_BACKLOG_OVERFLOW) {
            span = cause.withSpan(cause.from(), cause.to() + Burst.RELOAD_WARMUP_MS); // the fresh pool warms up
        }
        if (!span.overlaps(effect, Burst.TOLERANCE_MS)) {
            return false;
        }
        return effect.sign() != Sign.REQUEST_TERMINATED || cause.samePid(effect);
    }

    private static boolean causesASymptom(Sign s) {
        for (Sign x : Sign.values()) {
            if (x.symptom() && x != Sign.GATEWAY_ERRORS && Taxonomy.canCause(s, x)) return true;
        }
        return Taxonomy.canCause(s, Sign.POOL_SATURATED);
    }

    /** Whether the two are linked beyond time: the same worker, or the same request. */
    static boolean linked(Clue a, Clue b) {
        if (a.samePid(b)) {
            return true;
        }
        String ra = a.request();
        String rb = b.request();
        if (ra == null || rb == null) {
            return false;
        }
        return ra.equals(rb) || rb.startsWith(ra + " ") || ra.startsWith(rb + " ");
    }

    /** The chain that ends in {@code effect}. */
    static Chain to(Clue effect, Burst b) {
        List<Clue> steps = new ArrayList<>();
        steps.add(effect);
        Set<Sign> used = EnumSet.noneOf(Sign.class);
        if (effect.sign() != null) used.add(effect.sign());
        Clue current = effect;
        while (true) {
            List<Clue> candidates = new ArrayList<>();
            for (Clue c : b.clues) {
                if (c.sign() != null && !used.contains(c.sign()) && explains(c, current)) {
                    candidates.add(c);
                }
            }
            if (candidates.isEmpty()) {
                break;
            }
            List<Clue> direct = new ArrayList<>();
            for (Clue c1 : candidates) {
                boolean viaAnother = false;
                for (Clue c2 : candidates) {
                    if (c2.sign() != c1.sign() && explains(c1, c2)) {
                        viaAnother = true;
                        break;
                    }
                }
                if (!viaAnother) direct.add(c1);
            }
            if (direct.isEmpty()) {
                direct = candidates; // causes that explain each other: choose among all
            }
            Clue target = current;
            Sign best = null;
            long[] bestKey = null;
            for (Sign s : signsOf(direct)) {
                long link = 1;
                long specific = 1;
                long count = 0;
                long gap = Long.MAX_VALUE;
                for (Clue c : direct) {
                    if (c.sign() != s) continue;
                    if (linked(c, target)) link = 0;
                    if (c.pid() != null) specific = 0;
                    count++;
                    gap = Math.min(gap, Math.abs(c.at() - target.at()));
                }
                long[] key = {link, specific, -Math.max(count, b.count(s)), gap, s.ordinal()};
                if (bestKey == null || compare(key, bestKey) < 0) {
                    best = s;
                    bestKey = key;
                }
            }
            Sign chosen = best;
            // the event of that kind linked to the step (the worker's own), else the earliest that explains it
            Clue step = candidates.stream().filter(c -> c.sign() == chosen && linked(c, target))
                    .min(Comparator.comparingLong(Clue::at))
                    .orElseGet(() -> candidates.stream().filter(c -> c.sign() == chosen)
                            .min(Comparator.comparingLong(Clue::at)).orElseThrow());
            steps.add(0, step);
            used.add(chosen);
            current = step;
        }
        return new Chain(List.copyOf(steps));
    }

    private static Set<Sign> signsOf(List<Clue> clues) {
        Set<Sign> s = new LinkedHashSet<>();
        for (Clue c : clues) s.add(c.sign());
        return s;
    }

    private static int compare(long[] a, long[] b) {
        for (int i = 0; i < a.length; i++) {
            int c = Long.compare(a[i], b[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    Clue root() {
        return steps.get(0);
    }

    /**
     * The label of the chain: the first step that stands for one. A routine root (an FPM reload, more
     * requests than workers) yields to the next labelled step of its chain when an FPM reload is part of
     * the burst's story ({@code reloadInStory}: the root, or a cause beside the chain): a reload that made
     * the accept queue overflow is a backlog overflow, because of the reload, and so is a spike the queue
     * had to absorb together with a reload; a reload whose own effect (resets) reached the clients keeps
     * its label. Without a reload, a pool that filled up is the pool's fault, whatever nginx then showed.
     */
    Taxonomy label(boolean reloadInStory) {
        Taxonomy first = null;
        for (int i = 0; i < steps.size(); i++) {
            Sign s = steps.get(i).sign();
            Taxonomy row = s == null ? null : Taxonomy.of(s);
            if (row == null) continue;
            if (first == null && i == 0 && row.triggers().contains(s) && reloadInStory) {
                first = row; // remembered, in case nothing labelled follows
                continue;
            }
            return row;
        }
        return first == null ? Taxonomy.UNKNOWN : first;
    }

    /** The label when the chain is all there is to the story. */
    Taxonomy label() {
        return label(contains(Sign.FPM_RELOAD));
    }

    /** The labels of the steps other than {@code primary}, root first. */
    List<RootCause> otherLabels(Taxonomy primary) {
        Set<RootCause> out = new LinkedHashSet<>();
        for (Clue c : steps) {
            Taxonomy row = c.sign() == null ? null : Taxonomy.of(c.sign());
            if (row != null && row != primary) out.add(row.label());
        }
        return new ArrayList<>(out);
    }

    boolean contains(Sign s) {
        for (Clue c : steps) {
            if (c.sign() == s) return true;
        }
        return false;
    }
}
