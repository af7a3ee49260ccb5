package io.handoff.ship;

/**
 * A log entry could not be delivered to Kafka. Carries where the entry came from so that the
 * operator can tell what is missing; the first failure of a run is reported, later ones are
 * counted.
 */
public final class ShipException extends RuntimeException {
    private final String topic;
    private final String file;
    private final long offset;

    public ShipException(String topic, String file, long offset, String detail, Throwable cause) {
        super("delivery to topic " + topic + " failed for " + (file == null ? "an entry" : file) + " at byte offset "
                + offset + ": " + detail, cause);
        this.topic = topic;
        this.file = file;
        this.offset = offset;
    }

    public String topic() {
        return topic;
    }

    public String file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
