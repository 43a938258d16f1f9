package io.treepo.tasks;

import java.util.Objects;

/**
 * One bad line of a JSONL dataset: where it is, which field is at fault, and why.
 *
 * @param source the file (or other source) it was read from
 * @param line its 1-based line number
 * @param field the field at fault, or null when the line as a whole is (malformed JSON, not an
 *     object, no known prompt field)
 * @param message what is wrong, e.g. {@code is missing}
 */
public record DatasetError(String source, long line, String field, String message) {

    public DatasetError {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
        if (line < 1) {
            throw new IllegalArgumentException("line must be at least 1, got " + line);
        }
    }

    /** {@code gsm8k.jsonl:3: field 'answer' is missing}, or {@code gsm8k.jsonl:4: malformed JSON: ...}. */
    @Override
    public String toString() {
        return source + ":" + line + ": " + (field == null ? message : "field '" + field + "' " + message);
    }
}
