package io.treepo.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.tasks.Task.Split;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetTaskTest {

    private static List<DatasetRecord> records(int n) {
        List<DatasetRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new DatasetRecord("mem", i + 1, JsonlFormat.PLAIN, "What is " + i + "?", Integer.toString(i), null));
        }
        return records;
    }

    @Test
    void splitsRecordsByPromptAndDrawsDeterministically() {
        DatasetTask task = new DatasetTask("gsm8k", records(500));
        assertEquals(500, task.size(Split.TRAIN) + task.size(Split.HELD_OUT));
        assertTrue(task.size(Split.HELD_OUT) > 20 && task.size(Split.HELD_OUT) < 90, "held out " + task.size(Split.HELD_OUT));
        Set<String> train = new HashSet<>();
        Set<String> heldOut = new HashSet<>();
        for (long seed = 0; seed < 2000; seed++) {
            assertEquals(task.generate(seed, Split.TRAIN), task.generate(seed, Split.TRAIN));
            train.add(task.generate(seed, Split.TRAIN).prompt());
            heldOut.add(task.generate(seed, Split.HELD_OUT).prompt());
        }
        assertEquals(task.size(Split.HELD_OUT), heldOut.size(), "every held-out record is reachable");
        train.retainAll(heldOut);
        assertEquals(Set.of(), train);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "Half of 48 is 24.\\n#### 24 | 24 | 1.0",
        "#### 24.0 | 24 | 1.0",
        "#### 25 | 24 | 0.0",
        "So $\\boxed{\\dfrac{6}{8}}$ | 0.75 | 1.0",
        "So $\\boxed{\\dfrac{6}{8}}$ | \\frac{3}{4} | 1.0",
        "The answer is 1,000. | 1000 | 1.0",
        "The answer is 999. | 1000 | 0.0",
        "A: -3 | -3 | 1.0",
        "Twenty four | 24 | 0.0",
    })
    void scoresTheLastMarkerByEquivalence(String response, String reference, double reward) {
        Task math = DatasetTask.scoringOnly("math");
        assertEquals(reward, math.score(AnswerExtractorTest.unescape(response), reference).reward());
    }

    @Test
    void aScoringOnlyTaskRefusesToGenerate() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DatasetTask.scoringOnly("gsm8k").generate(0, Split.TRAIN));
        assertTrue(e.getMessage().startsWith("task 'gsm8k' has no TRAIN problems"), e.getMessage());
    }

    @Test
    void refusesABlankName() {
        assertEquals("name must not be blank",
                assertThrows(IllegalArgumentException.class, () -> new DatasetTask(" ", List.of())).getMessage());
    }
}
