package io.treepo.tasks;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The shapes of JSONL record {@link JsonlDataset} reads, and how each becomes a prompt and a
 * reference answer.
 */
public enum JsonlFormat {

    /** Picks the format per line by its key field: {@code question}, {@code problem} or {@code prompt}. */
    AUTO {
        @Override
        Parsed parse(JsonNode line) throws InvalidRecordException {
            for (JsonlFormat format : new JsonlFormat[] {GSM8K, MATH, PLAIN}) {
                if (line.has(format.promptField)) {
                    return format.parse(line);
                }
            }
            throw new InvalidRecordException(null,
                    "no known prompt field: expected question (GSM8K), problem (MATH) or prompt (plain)");
        }
    },

    /** {@code {"question": ..., "answer": "...\n#### 72"}}: the reference is the {@code ####} line's value. */
    GSM8K("question") {
        @Override
        Parsed parse(JsonNode line) throws InvalidRecordException {
            String prompt = text(line, promptField());
            String answer = text(line, "answer");
            int at = answer.lastIndexOf("####");
            String after = at < 0 ? "" : answer.substring(at + "####".length()).strip();
            if (after.isEmpty()) {
                throw new InvalidRecordException("answer", "has no final '#### <answer>' line");
            }
            return new Parsed(this, prompt, after.lines().findFirst().orElseThrow().strip(), answer);
        }
    },

    /** {@code {"problem": ..., "solution": "... \boxed{3/4} ..."}}: the reference is the last box's content. */
    MATH("problem") {
        @Override
        Parsed parse(JsonNode line) throws InvalidRecordException {
            String prompt = text(line, promptField());
            String solution = text(line, "solution");
            String boxed = Answers.extractBoxed(solution);
            if (boxed == null || boxed.isBlank()) {
                throw new InvalidRecordException("solution", "has no complete \\boxed{...} answer");
            }
            return new Parsed(this, prompt, boxed.strip(), solution);
        }
    },

    /** {@code {"prompt": ..., "answer": ...}}, the answer a string or a number; no worked solution. */
    PLAIN("prompt") {
        @Override
        Parsed parse(JsonNode line) throws InvalidRecordException {
            String prompt = text(line, promptField());
            JsonNode answer = line.get("answer");
            // A bare number is the natural way to write a numeric answer in JSON, so it is taken
            // as written, not refused as a wrong type.
            String reference = answer != null && answer.isNumber() ? answer.asText() : text(line, "answer");
            return new Parsed(this, prompt, reference, null);
        }
    };

    private final String promptField;

    JsonlFormat() {
        this(null);
    }

    JsonlFormat(String promptField) {
        this.promptField = promptField;
    }

    /** The field holding the prompt, or null for {@link #AUTO}. */
    public String promptField() {
        return promptField;
    }

    /** What one line yields, before the file and line number are attached. */
    record Parsed(JsonlFormat format, String prompt, String reference, String solution) {}

    abstract Parsed parse(JsonNode line) throws InvalidRecordException;

    /** A required, non-blank string field. */
    static String text(JsonNode line, String field) throws InvalidRecordException {
        JsonNode value = line.get(field);
        if (value == null) {
            throw new InvalidRecordException(field, "is missing");
        }
        if (!value.isTextual()) {
            throw new InvalidRecordException(field, "must be a string, got " + value.getNodeType());
        }
        if (value.asText().isBlank()) {
            throw new InvalidRecordException(field, "is blank");
        }
        return value.asText();
    }
}
