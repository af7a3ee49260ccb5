package io.handoff.ship;

/**
 * Receives progress while {@link Shipper#ship} runs (every {@link Shipper#PROGRESS_EVERY} entries and
 * once at the end), on the shipping thread. The CLI prints it on stderr.
 */
@FunctionalInterface
public interface ShipProgress {

    /**
     * @param entries   entries handed to the producer so far
     * @param bytesRead bytes of the source files read so far
     * @param totalBytes size of all source files
     * @param done      true for the final call
     */
    record Progress(long entries, long bytesRead, long totalBytes, boolean done) {
        /** 0..100. */
        public int percent() {
            return totalBytes <= 0 ? 100 : (int) Math.min(100, bytesRead * 100 / totalBytes);
        }
    }

    void onProgress(Progress progress);

    ShipProgress NONE = p -> {};
}
