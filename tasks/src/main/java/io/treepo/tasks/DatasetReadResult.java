package io.treepo.tasks;

import java.util.List;
import java.util.Objects;

/** Everything read from a JSONL dataset: the good records and an error for each bad line. */
public record DatasetReadResult(List<DatasetRecord> records, List<DatasetError> errors) {

    public DatasetReadResult {
        records = List.copyOf(Objects.requireNonNull(records, "records"));
        errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
    }

    public int errorCount() {
        return errors.size();
    }
}
