package io.treepo.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonlDatasetTest {

    @Test
    void readsGsm8kWithTheHashesLineAsReference() throws Exception {
        DatasetReadResult result = JsonlDataset.readAll(resource("gsm8k.jsonl"), JsonlFormat.GSM8K);
        assertEquals(List.of(), result.errors());
        assertEquals(List.of("72", "10", "1,500"), references(result));
        DatasetRecord first = result.records().get(0);
        assertTrue(first.prompt().startsWith("Natalia sold clips"));
        assertTrue(first.solution().endsWith("#### 72"));
        assertEquals(JsonlFormat.GSM8K, first.format());
        assertEquals(1, first.line());
        // A dataset's own solution must score 1 under the task that uses it.
        Task gsm8k = Tasks.byName("gsm8k");
        for (DatasetRecord r : result.records()) {
            assertEquals(1.0, gsm8k.score(r.solution(), r.reference()).reward(), r.toString());
        }
    }

    @Test
    void readsMathWithTheLastBoxAsReference() throws Exception {
        DatasetReadResult result = JsonlDataset.readAll(resource("math.jsonl"), JsonlFormat.MATH);
        assertEquals(List.of(), result.errors());
        assertEquals(List.of("\\frac{3}{4}", "2\\sqrt{2}", "4"), references(result));
        Task math = Tasks.byName("math");
        for (DatasetRecord r : result.records()) {
            assertEquals(1.0, math.score(r.solution(), r.reference()).reward(), r.toString());
        }
        assertEquals(1.0, math.score("So the sum is 0.75.\nThe answer is 0.75", "\\frac{3}{4}").reward());
    }

    @Test
    void readsPlainLinesAndSkipsBlankOnes() throws Exception {
        DatasetReadResult result = JsonlDataset.readAll(resource("plain.jsonl"), JsonlFormat.PLAIN);
        assertEquals(List.of(), result.errors());
        assertEquals(List.of("5", "42", "3/4"), references(result));
        assertEquals(List.of(1L, 3L, 4L), result.records().stream().map(DatasetRecord::line).toList());
        assertEquals(new Task.Problem("Q: 2+3=?\n", "5", null), result.records().get(0).toProblem());
    }

    @Test
    void autoDetectsTheFormatPerLine() throws Exception {
        DatasetReadResult result = JsonlDataset.readAll(resource("mixed.jsonl"), JsonlFormat.AUTO);
        assertEquals(List.of(), result.errors());
        assertEquals(List.of(JsonlFormat.GSM8K, JsonlFormat.MATH, JsonlFormat.PLAIN),
                result.records().stream().map(DatasetRecord::format).toList());
        assertEquals(List.of("2", "8", "7"), references(result));
    }

    @Test
    void badLinesBecomeErrorsNamingLineAndFieldAndReadingGoesOn() throws Exception {
        Path file = resource("bad.jsonl");
        DatasetReadResult result = JsonlDataset.readAll(file, JsonlFormat.AUTO);
        assertEquals(List.of(1L, 12L), result.records().stream().map(DatasetRecord::line).toList());
        assertEquals(10, result.errorCount());
        List<String> expected = List.of(
                "2: malformed JSON: Unexpected end-of-input: expected close marker for Object",
                "3: field 'answer' is missing",
                "4: field 'question' must be a string, got NUMBER",
                "5: field 'answer' has no final '#### <answer>' line",
                "6: field 'solution' has no complete \\boxed{...} answer",
                "7: field 'answer' must be a string, got ARRAY",
                "8: field 'answer' must be a string, got NULL",
                "9: must be a JSON object, got ARRAY",
                "10: no known prompt field: expected question (GSM8K), problem (MATH) or prompt (plain)",
                "11: malformed JSON: Unrecognized token 'trailing'");
        for (int i = 0; i < expected.size(); i++) {
            String message = result.errors().get(i).toString();
            assertTrue(message.startsWith(file + ":" + expected.get(i)), message + "\n  expected: " + expected.get(i));
        }
        DatasetError missing = result.errors().get(1);
        assertEquals(new DatasetError(file.toString(), 3, "answer", "is missing"), missing);
    }

    @ParameterizedTest(name = "[{index}] {0} as {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "{\"problem\": \"p\", \"solution\": \"\\\\boxed{1}\"} | GSM8K | field 'question' is missing",
        "{\"question\": \"q\", \"answer\": \"#### 1\"} | MATH | field 'problem' is missing",
        "{\"question\": \"q\", \"answer\": \"#### 1\"} | PLAIN | field 'prompt' is missing",
        "{\"prompt\": \"  \", \"answer\": \"1\"} | PLAIN | field 'prompt' is blank",
        "{\"prompt\": \"p\", \"answer\": true} | PLAIN | field 'answer' must be a string, got BOOLEAN",
        "{\"problem\": \"p\", \"solution\": \"\\\\boxed{}\"} | MATH | field 'solution' has no complete \\boxed{...} answer",
        "{\"question\": \"q\", \"answer\": \"####   \"} | GSM8K | field 'answer' has no final '#### <answer>' line",
        "{\"prompt\": \"p\", \"answer\": \"1\"} {\"prompt\": \"q\", \"answer\": \"2\"} | AUTO | malformed JSON: Trailing token (of type START_OBJECT) found after value (bound as `com.fasterxml.jackson.databind.JsonNode`): not allowed as per `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`",
    })
    void anExplicitFormatDemandsItsFields(String line, JsonlFormat format, String message) throws IOException {
        List<DatasetRecord> records = new ArrayList<>();
        List<DatasetError> errors = JsonlDataset.read(
                new BufferedReader(new StringReader(line)), "inline", format, records::add);
        assertEquals(List.of(), records);
        assertEquals(List.of("inline:1: " + message), errors.stream().map(DatasetError::toString).toList());
    }

    @Test
    void streamsRecordsInFileOrderWithoutHoldingThem(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.jsonl");
        StringBuilder text = new StringBuilder("\uFEFF");
        for (int i = 0; i < 5000; i++) {
            text.append("{\"prompt\": \"Say ").append(i).append("\\n\", \"answer\": ").append(i).append("}\n");
        }
        Files.writeString(file, text);
        long[] seen = {0};
        List<DatasetError> errors = JsonlDataset.read(file, JsonlFormat.AUTO, r -> {
            assertEquals(Long.toString(seen[0]), r.reference());
            assertEquals(seen[0] + 1, r.line());
            seen[0]++;
        });
        assertEquals(List.of(), errors);
        assertEquals(5000, seen[0]);
    }

    @Test
    void aMissingFileIsAnIoError(@TempDir Path dir) {
        assertThrows(NoSuchFileException.class, () -> JsonlDataset.readAll(dir.resolve("absent.jsonl"), JsonlFormat.AUTO));
    }

    private static List<String> references(DatasetReadResult result) {
        return result.records().stream().map(DatasetRecord::reference).toList();
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(JsonlDatasetTest.class.getResource("/datasets/" + name).toURI());
    }
}
