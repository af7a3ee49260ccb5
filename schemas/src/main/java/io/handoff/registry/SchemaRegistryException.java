package io.handoff.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A Schema Registry call failed. {@link #httpStatus()} and {@link #errorCode()} are the registry's
 * (Confluent codes: 40401 subject not found, 40402 version not found, 40403 schema not found,
 * 409 incompatible schema, 42201 invalid schema, 401/403 authentication); both are -1 when no
 * answer arrived (connection failure, timeout).
 */
public class SchemaRegistryException extends SerializationException {
    private static final long serialVersionUID = 1L;

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;

    private final int httpStatus;
    private final int errorCode;
    private final boolean noAnswer;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.noAnswer = false;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private SchemaRegistryException(String message, Throwable cause, boolean noAnswer) {
        super(message, cause);
        this.httpStatus = -1;
        this.errorCode = -1;
        this.noAnswer = noAnswer;
    }

    /** The registry could not be reached or gave no answer in time. */
    public static SchemaRegistryException noAnswer(String message, Throwable cause) {
        return new SchemaRegistryException(message, cause, true);
    }

    /** HTTP status of the registry's answer, -1 if none arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code}, -1 if none arrived. */
    public int errorCode() {
        return errorCode;
    }

    /**
     * True when the registry could not be asked (no connection, no answer in time) or failed itself (5xx):
     * a property of the registry, not of the record being written or read, so the caller waits and tries
     * again instead of giving up on the record.
     */
    public boolean isUnavailable() {
        return noAnswer || httpStatus >= 500;
    }

    /** Whether {@code t} or one of its causes is an {@linkplain #isUnavailable() unavailable} registry. */
    public static boolean isUnavailable(Throwable t) {
        for (int i = 0; t != null && i < 20; t = t.getCause(), i++) {
            if (t instanceof SchemaRegistryException e && e.isUnavailable()) {
                return true;
            }
        }
        return false;
    }

    /** True for "no such subject / version / schema" answers. */
    public boolean isNotFound() {
        return httpStatus == 404 || errorCode == SUBJECT_NOT_FOUND || errorCode == VERSION_NOT_FOUND
                || errorCode == SCHEMA_NOT_FOUND;
    }
}
