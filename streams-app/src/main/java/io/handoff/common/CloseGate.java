package io.handoff.common;

/**
 * When stages may judge time on their own: close what a silent host left open (the wall-clock idle
 * close), and take a log that lags behind the host's other logs for a quiet one (the correlator's
 * event-time bound).
 *
 * <p>Both judgements are only sound while the stage is <em>live</em>: it has consumed what its input
 * held a moment ago and the broker answers. While it works through a backlog, or the broker is away,
 * a host's silence says nothing (its lines are queued behind other hosts' lines, or in its shipper's
 * buffer), and a source that lags may be holding the rest of a burst. Closing then cuts one incident
 * in two: a partial record first, the rest as a second one.
 *
 * <ul>
 *   <li>{@link #always()}: always live (tests that drive time by hand).</li>
 *   <li>{@link #afterInput()} ({@code handoff replay}, which compresses days into seconds): not live
 *       until the replay {@link #open opens} a stage once its input has been consumed, which it reads
 *       from committed offsets. Incidents reach the fleet stage from different partitions out of
 *       event-time order by far more than any grace, so the fleet stage waits too.</li>
 *   <li>{@link #live(Progress)} ({@code handoff run}): the correlator is live per partition of its
 *       input while a {@link Progress} monitor confirms that the partition is caught up and the broker
 *       answers ({@link InputProgress}); the fleet stage keeps its live rules.</li>
 * </ul>
 * The per-host event-time close of the correlator needs no gate: a host's lines arrive in order per source.
 */
public final class CloseGate {
    /** The stages with such rules. */
    public enum Stage { CORRELATE, FLEET }

    /** Whether a partition of the correlator's input is caught up, as a monitor of the running application sees it. */
    @FunctionalInterface
    public interface Progress {
        boolean caughtUp(int partition);
    }

    private volatile boolean correlate;
    private volatile boolean fleet;
    private final Progress progress;

    private CloseGate(boolean open, Progress progress) {
        this.correlate = open;
        this.fleet = open;
        this.progress = progress;
    }

    /** Always open. */
    public static CloseGate always() {
        return new CloseGate(true, null);
    }

    /** Open for a stage only after {@link #open} ({@code handoff replay}). */
    public static CloseGate afterInput() {
        return new CloseGate(false, null);
    }

    /** The correlator is live on a partition while {@code progress} says it is caught up; the fleet stage always. */
    public static CloseGate live(Progress progress) {
        return new CloseGate(true, progress);
    }

    /** The stage's input is complete. */
    public void open(Stage stage) {
        if (stage == Stage.CORRELATE) {
            correlate = true;
        } else {
            fleet = true;
        }
    }

    /** Whether the stage may judge time on its own (for the correlator: on every partition). */
    public boolean isOpen(Stage stage) {
        return stage == Stage.CORRELATE ? correlate : fleet;
    }

    /** Whether the stage may judge time on its own for the records of one input partition. */
    public boolean isOpen(Stage stage, int partition) {
        if (stage == Stage.CORRELATE && progress != null) {
            return correlate && progress.caughtUp(partition);
        }
        return isOpen(stage);
    }
}
