package io.treepo.tasks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reads JSONL datasets (GSM8K, MATH, plain prompt/answer; see {@link JsonlFormat}) one line at a
 * time, so a file of any size streams through in constant memory. A bad line (malformed JSON, a
 * missing field, a field of the wrong type) does not stop the read: it becomes a
 * {@link DatasetError} naming the file, the line and the field, and reading goes on.
 *
 * <pre>{@code
 * List<DatasetError> errors = JsonlDataset.read(path, JsonlFormat.AUTO, record -> sink.add(record));
 * errors.forEach(e -> log.warn("skipped {}", e));
 * }</pre>
 */
public final class JsonlDataset {

    // Thread-safe once configured. Trailing tokens make a line malformed: '{"a":1} {"b":2}' is two
    // records glued together, not one.
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonlDataset() {}

    /**
     * Streams the file's good records to {@code onRecord}, in file order, and returns the errors
     * of its bad lines. Blank lines are skipped.
     *
     * @throws IOException when the file cannot be read at all (bad content is an error, not this)
     */
    public static List<DatasetError> read(Path file, JsonlFormat format, Consumer<DatasetRecord> onRecord)
            throws IOException {
        Objects.requireNonNull(file, "file");
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, file.toString(), format, onRecord);
        }
    }

    /**
     * As {@link #read(Path, JsonlFormat, Consumer)}, from an open reader (not closed here);
     * {@code source} names it in records and errors.
     */
    public static List<DatasetError> read(
            BufferedReader reader, String source, JsonlFormat format, Consumer<DatasetRecord> onRecord)
            throws IOException {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(onRecord, "onRecord");
        List<DatasetError> errors = new ArrayList<>();
        long lineNumber = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNumber++;
            if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // a UTF-8 byte-order mark, as some editors write
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonlFormat.Parsed parsed = format.parse(object(line));
                onRecord.accept(new DatasetRecord(source, lineNumber, parsed.format(),
                        parsed.prompt(), parsed.reference(), parsed.solution()));
            } catch (InvalidRecordException e) {
                errors.add(new DatasetError(source, lineNumber, e.field(), e.getMessage()));
            }
        }
        return errors;
    }

    /** Reads the whole file into memory: for datasets small enough to hold (GSM8K, MATH). */
    public static DatasetReadResult readAll(Path file, JsonlFormat format) throws IOException {
        List<DatasetRecord> records = new ArrayList<>();
        List<DatasetError> errors = read(file, format, records::add);
        return new DatasetReadResult(records, errors);
    }

    private static JsonNode object(String line) throws InvalidRecordException {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException(null, "malformed JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            throw new InvalidRecordException(null, "must be a JSON object, got " + node.getNodeType());
        }
        return node;
    }
}
