package io.handoff.classify;

import io.handoff.avro.LogEvent;

/**
 * One typed event of a burst: a {@link Sign} with its time, the span it was in effect, and the links
 * that tie it to other events (the worker pid, the request, the script). Made from one line, or from
 * the lines that tell one event (the kernel's OOM lines and FPM's SIGKILL of the same pid are one kill).
 *
 * @param sign    what it is
 * @param at      event time of its line, epoch ms
 * @param from    from when it was in effect: a slowlog entry's request started before the entry was
 *                written; an nginx timeout's request was sent before nginx gave up
 * @param to      until when it was in effect: a reload until FPM re-executed, a stopped FPM until it
 *                started again, a saturated pool for a while
 * @param pid     the worker it concerns (crashed, killed, terminated, slow), or null
 * @param request the request it concerns ("GET /wp-admin/admin-ajax.php?…"), or null
 * @param script  the PHP script, or null
 * @param what    what the worker was doing, for the description ("curl_exec() in plugin acme-crm-sync"), or null
 * @param plugin  the first plugin of its stack, or null
 * @param theme   the first theme of its stack (when no plugin comes first), or null
 * @param line    the line that shows it best (the step's evidence)
 */
public record Clue(Sign sign, long at, long from, long to, Integer pid, String request, String script, String what,
                   String plugin, String theme, LogEvent line) {

    Clue withSign(Sign s) {
        return new Clue(s, at, from, to, pid, request, script, what, plugin, theme, line);
    }

    Clue withSpan(long f, long t) {
        return new Clue(sign, at, f, t, pid, request, script, what, plugin, theme, line);
    }

    Clue withStack(String w, String p, String th, String s) {
        return new Clue(sign, at, from, to, pid, request, script != null ? script : s, w, p, th, line);
    }

    /** Whether two clues concern the same worker. */
    boolean samePid(Clue o) {
        return pid != null && pid.equals(o.pid);
    }

    /** Whether the spans overlap, with {@code tolerance} ms of slack for stamps of one-second resolution. */
    boolean overlaps(Clue o, long tolerance) {
        return from <= o.to + tolerance && to >= o.from - tolerance;
    }
}
