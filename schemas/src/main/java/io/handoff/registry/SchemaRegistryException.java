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

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = -1;
        this.errorCode = -1;
    }

    /** HTTP status of the registry's answer, -1 if none arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code}, -1 if none arrived. */
    public int errorCode() {
        return errorCode;
    }

    /** True for "no such subject / version / schema" answers. */
    public boolean isNotFound() {
        return httpStatus == 404 || errorCode == SUBJECT_NOT_FOUND || errorCode == VERSION_NOT_FOUND
                || errorCode == SCHEMA_NOT_FOUND;
    }
}
