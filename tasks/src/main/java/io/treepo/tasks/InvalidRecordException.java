package io.treepo.tasks;

/** A JSONL record that cannot become a {@link DatasetRecord}, and the field at fault. */
final class InvalidRecordException extends Exception {

    private final String field;

    /** @param field the field at fault, or null when the fault is the line as a whole */
    InvalidRecordException(String field, String message) {
        super(message);
        this.field = field;
    }

    String field() {
        return field;
    }
}
