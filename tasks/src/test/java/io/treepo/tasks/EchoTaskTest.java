package io.treepo.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.tasks.Task.Problem;
import io.treepo.tasks.Task.Split;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EchoTaskTest {

    private final EchoTask task = new EchoTask(2);

    @Test
    void promptShowsTheNumberAndTheSolutionRepeatsIt() {
        Problem p = task.generate(3, Split.TRAIN);
        String number = p.reference();
        assertEquals(new Problem("Say " + number + "\n", number, "A: " + number), p);
        assertTrue(Integer.parseInt(number) < 100);
    }

    @Test
    void sameSeedSameProblem() {
        for (long seed = 0; seed < 200; seed++) {
            assertEquals(task.generate(seed, Split.HELD_OUT), new EchoTask(2).generate(seed, Split.HELD_OUT));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 6})
    void splitsAreDisjointAndSolutionsScoreOne(int digits) {
        EchoTask t = new EchoTask(digits);
        Set<String> train = new HashSet<>();
        Set<String> heldOut = new HashSet<>();
        for (long seed = 0; seed < 5_000; seed++) {
            Problem a = t.generate(seed, Split.TRAIN);
            Problem b = t.generate(seed, Split.HELD_OUT);
            assertEquals(1.0, t.score(a.solution(), a.reference()).reward());
            assertEquals(1.0, t.score(b.solution(), b.reference()).reward());
            train.add(a.prompt());
            heldOut.add(b.prompt());
        }
        train.retainAll(heldOut);
        assertEquals(Set.of(), train);
    }

    @Test
    void wrongOrMissingAnswersScoreZero() {
        assertEquals(0.0, task.score("A: 41", "42").reward());
        assertEquals(new Task.Score(0.0, null), task.score("42", "42"));
        assertFalse(task.answerFound("A:"));
        assertTrue(task.answerFound("A: 4"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10})
    void refusesDigitsOutOfRange(int digits) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EchoTask(digits));
        assertEquals("maxDigits must be in [1, 9], got " + digits, e.getMessage());
    }
}
