/**
 * One parser per log source: pure, thread-safe functions from a line (or a joined multi-line entry)
 * to a typed Avro record and a UTC event time, or to a {@link io.handoff.parse.ParseOutcome.Failed}
 * whose reason says what was expected where. No Kafka types here. Get them from
 * {@link io.handoff.parse.Parsers#forKind}; {@link io.handoff.parse.ParseRun} is what
 * {@code handoff parse} does with its files.
 *
 * <p>Choices worth knowing:
 * <ul>
 *   <li>Zone-less stamps (nginx error, PHP-FPM log and slowlog, syslog and {@code dmesg -T} kernel lines)
 *       are read in {@link io.handoff.parse.ParseContext#zone()}; access-log stamps carry their offset; a
 *       literal {@code Z} in an FPM {@code %{…}t} pattern means UTC.</li>
 *   <li>Lines a PHP-FPM child writes itself ({@code NOTICE: PHP message: …}) have no timestamp at all; they
 *       are dead letters with that reason rather than events with an invented time.</li>
 *   <li>A {@code -} in an access line is an absent field, in every format (VRL keeps it in combined).</li>
 *   <li>Text after the last literal of an nginx {@code log_format} (e.g. a {@code "2.75"} compression
 *       ratio) is kept under {@code other._trailing} instead of failing the line.</li>
 *   <li>nginx error {@code message} stops where the {@code , client: …} tail begins; the tail is only
 *       taken when it runs, in nginx's order, to the end of the entry (so a FastCGI message cut at
 *       nginx's length limit keeps all its text). errno/operation are not read from the application's
 *       quoted FastCGI output.</li>
 *   <li>PHP-FPM kinds: {@code Finishing ...} (graceful stop) counts as TERMINATING, both
 *       {@code Reloading in progress} and {@code reloading: execvp(…)} as RELOADING, both
 *       {@code error log file re-opened} and {@code access log file re-opened} as LOGS_REOPENED.</li>
 *   <li>Slowlog category and {@code blocking_function} come from the innermost frame; plugin/theme from
 *       the first frame, innermost first, under {@code wp-content/plugins/NAME/} or {@code themes/NAME/}.</li>
 *   <li>Kernel lines with no OOM/segfault/trap meaning are valid events of kind OTHER; a raw
 *       {@code [secs.usec]} stamp needs the host's boot time, else the line is a dead letter.</li>
 * </ul>
 */
package io.handoff.parse;
