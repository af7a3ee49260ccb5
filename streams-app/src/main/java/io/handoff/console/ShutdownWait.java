package io.handoff.console;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps {@code handoff demo --serve} serving until Ctrl-C (or SIGTERM), and lets the command clean up
 * (console, Kafka Streams, the in-process broker, its temporary folder) before the JVM ends.
 */
public final class ShutdownWait {
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch cleaned = new CountDownLatch(1);

    private ShutdownWait() {}

    /** Registers the shutdown hook; {@link #await()} then returns when the process is asked to stop. */
    public static ShutdownWait register() {
        ShutdownWait w = new ShutdownWait();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            w.stop.countDown();
            try {
                w.cleaned.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "handoff-console-stop"));
        return w;
    }

    /** Blocks until the process is asked to stop (or this thread is interrupted). */
    public void await() {
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The command has cleaned up; the JVM may end. */
    public void cleaned() {
        cleaned.countDown();
    }
}
