package io.treepo.tasks;

import java.util.Objects;

/**
 * One good line of a JSONL dataset.
 *
 * @param source the file (or other source) it was read from, for messages
 * @param line its 1-based line number
 * @param format the format it was read as (never {@link JsonlFormat#AUTO})
 * @param prompt what the policy is given
 * @param reference the answer a verifier compares against
 * @param solution the dataset's worked solution, or null when it has none (plain format)
 */
public record DatasetRecord(
        String source, long line, JsonlFormat format, String prompt, String reference, String solution) {

    public DatasetRecord {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(reference, "reference");
        if (line < 1) {
            throw new IllegalArgumentException("line must be at least 1, got " + line);
        }
        if (format == JsonlFormat.AUTO) {
            throw new IllegalArgumentException("format must be the detected one, not AUTO");
        }
    }

    public Task.Problem toProblem() {
        return new Task.Problem(prompt, reference, solution);
    }
}
