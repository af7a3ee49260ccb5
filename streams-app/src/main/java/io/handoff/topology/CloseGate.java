package io.handoff.topology;

/**
 * When stages may close what they hold open on their own judgement of time.
 *
 * <p>Live ({@link #always()}): a host (or the fleet stage's input) that falls silent for
 * {@code handoff.idle-close} has stopped writing, so its open incident closes although its event time
 * no longer moves; and the fleet stage closes a window once its event time passes the window's end
 * plus grace, since incidents reach it near real time.
 *
 * <p>A replay ({@link #afterInput()}) compresses days into seconds. Silence then only means "its
 * lines are queued behind other hosts' lines" (closing would cut bursts in two), and incidents reach
 * the fleet stage from different partitions out of event-time order by far more than any grace. So a
 * replay keeps both rules off and {@link #open opens} them stage by stage once the stage's input has
 * been consumed, which it reads from committed offsets. The per-host event-time close of the
 * correlator is always on: a host's own lines arrive in order.
 */
public final class CloseGate {
    /** The stages with such rules. */
    public enum Stage { CORRELATE, FLEET }

    private volatile boolean correlate;
    private volatile boolean fleet;

    private CloseGate(boolean open) {
        this.correlate = open;
        this.fleet = open;
    }

    /** Always open ({@code handoff run}). */
    public static CloseGate always() {
        return new CloseGate(true);
    }

    /** Open for a stage only after {@link #open} ({@code handoff replay}). */
    public static CloseGate afterInput() {
        return new CloseGate(false);
    }

    /** The stage's input is complete. */
    public void open(Stage stage) {
        if (stage == Stage.CORRELATE) {
            correlate = true;
        } else {
            fleet = true;
        }
    }

    public boolean isOpen(Stage stage) {
        return stage == Stage.CORRELATE ? correlate : fleet;
    }
}
