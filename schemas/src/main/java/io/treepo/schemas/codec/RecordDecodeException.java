package io.treepo.schemas.codec;

/**
 * Bytes that are not a valid record of the expected type, with the kind of fault and a sentence a
 * person can act on. Checked, so callers decide where a bad record goes (usually the dead-letter
 * topic) instead of crashing.
 */
public final class RecordDecodeException extends Exception {

    /** What was wrong with the bytes. */
    public enum Kind {
        /** Null or zero-length value. */
        EMPTY,
        /** Not Avro single-object encoded: foreign bytes (plain JSON, text, another format). */
        BAD_HEADER,
        /** Single-object encoded, but with the fingerprint of a schema this reader does not know. */
        UNKNOWN_SCHEMA,
        /** Right header and schema, but the body is truncated or corrupt. */
        CORRUPT_BODY
    }

    private final Kind kind;

    public RecordDecodeException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
