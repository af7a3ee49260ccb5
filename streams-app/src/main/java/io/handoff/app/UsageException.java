package io.handoff.app;

/** A command line that cannot be run as written; exit code 2 with a message that says what was expected. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
