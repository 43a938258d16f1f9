package io.treepo.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.tasks.Task.Problem;
import io.treepo.tasks.Task.Split;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArithmeticTaskTest {

    private static final Pattern PROMPT = Pattern.compile("Q: \\d+([-+*]\\d+)+=\\?\n");
    private final ArithmeticTask task = new ArithmeticTask(ArithmeticConfig.DEFAULT);

    @Test
    void example() {
        Problem p = ArithmeticTask.problem(
                new ArithmeticExpression(List.of(7L, 3L, 4L, 5L), List.of('+', '*', '-')));
        assertEquals(new Problem("Q: 7+3*4-5=?\n", "14", "3*4=12, 7+12-5\n7+12=19, 19-5\n19-5=14\nA: 14"), p);
    }

    @Test
    void sameSeedSameProblem() {
        for (long seed = 0; seed < 200; seed++) {
            for (Split split : Split.values()) {
                assertEquals(task.generate(seed, split), new ArithmeticTask(ArithmeticConfig.DEFAULT).generate(seed, split));
            }
        }
    }

    @Test
    void differentSeedsGiveVariedProblems() {
        Set<String> prompts = new HashSet<>();
        for (long seed = 0; seed < 1000; seed++) {
            prompts.add(task.generate(seed, Split.TRAIN).prompt());
        }
        assertTrue(prompts.size() > 900, "distinct prompts: " + prompts.size());
    }

    @Test
    void trainAndHeldOutAreDisjointOver20kDraws() {
        Set<String> train = new HashSet<>();
        Set<String> heldOut = new HashSet<>();
        for (long seed = 0; seed < 20_000; seed++) {
            train.add(task.generate(seed, Split.TRAIN).prompt());
            heldOut.add(task.generate(seed, Split.HELD_OUT).prompt());
        }
        assertTrue(heldOut.size() > 1000, "held-out distinct prompts: " + heldOut.size());
        Set<String> shared = new HashSet<>(train);
        shared.retainAll(heldOut);
        assertEquals(Set.of(), shared);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void solutionsScoreOneAndFitTheContextAtEveryLevel(int level) {
        ArithmeticTask t = new ArithmeticTask(ArithmeticConfig.level(level));
        for (long seed = 0; seed < 2000; seed++) {
            for (Split split : Split.values()) {
                Problem p = t.generate(seed, split);
                Task.Score score = t.score(p.solution(), p.reference());
                assertEquals(1.0, score.reward(), p.toString());
                assertEquals(p.reference(), score.extractedAnswer());
                assertTrue(PROMPT.matcher(p.prompt()).matches(), p.prompt());
                assertTrue(p.prompt().length() + p.solution().length() <= 256, p.toString());
            }
        }
    }

    @Test
    void defaultDifficultyHasTwoToFourOperationsAndSegmentSizedResponses() {
        int shortest = Integer.MAX_VALUE;
        int longest = 0;
        for (long seed = 0; seed < 5000; seed++) {
            Problem p = task.generate(seed, Split.TRAIN);
            int operations = p.solution().split("\n").length - 1;
            assertTrue(operations >= 2 && operations <= 4, p.toString());
            shortest = Math.min(shortest, p.solution().length());
            longest = Math.max(longest, p.solution().length());
            assertTrue(p.prompt().length() + p.solution().length() < 100, p.toString());
        }
        assertTrue(shortest >= 15 && longest <= 80, "solution lengths " + shortest + ".." + longest);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "3*4=12\\n7+12=19\\n19-5=14\\nA: 15 | 0.0 | 15",
        "3*4=12\\n7+12=19\\n19-5=14 | 0.0 | ",
        "A: 14 | 1.0 | 14",
        "A: 14.0 | 1.0 | 14.0",
        "A: 13\\nA: 14 | 1.0 | 14",
        "A: 14\\nA: 13 | 0.0 | 13",
        "the answer is 14 | 0.0 | ",
    })
    void scoresTheLastAnswerLine(String response, double reward, String extracted) {
        Task.Score score = task.score(AnswerExtractorTest.unescape(response), "14");
        assertEquals(reward, score.reward());
        assertEquals(extracted, score.extractedAnswer());
    }

    @Test
    void detectsAnAnswerInAPartialResponse() {
        assertFalse(task.answerFound("3*4=12\n7+1"));
        assertFalse(task.answerFound("3*4=12\n7+12=19\n19-5=14\n"));
        assertTrue(task.answerFound("3*4=12\n7+12=19\n19-5=14\nA: 1"));
        assertNull(task.score("3*4=12\n", "14").extractedAnswer());
    }

    @Test
    void failsClearlyWhenASplitCannotBeReached() {
        // 1+1, 1-1 and 1*1 are the only problems; none is held out.
        ArithmeticTask tiny = new ArithmeticTask(new ArithmeticConfig(1, 1, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tiny.generate(0, Split.HELD_OUT));
        assertTrue(e.getMessage().startsWith("no HELD_OUT problem in 10000 draws"), e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {3}")
    @CsvSource(delimiter = '|', value = {
        "0 | 2 | 9 | minOperations must be at least 1, got 0",
        "3 | 2 | 9 | maxOperations must be in [minOperations=3, 8], got 2",
        "1 | 9 | 9 | maxOperations must be in [minOperations=1, 8], got 9",
        "1 | 2 | 0 | maxOperand must be in [1, 99], got 0",
        "1 | 2 | 100 | maxOperand must be in [1, 99], got 100",
    })
    void refusesBadConfigsNamingTheParameter(int min, int max, int operand, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ArithmeticConfig(min, max, operand));
        assertEquals(message, e.getMessage());
    }

    @Test
    void refusesAnUnknownLevel() {
        assertEquals("difficulty must be in [1, 4], got 5",
                assertThrows(IllegalArgumentException.class, () -> ArithmeticConfig.level(5)).getMessage());
    }

    @Test
    void everyReferenceSolutionShowsValidWork() {
        ArithmeticTask task = new ArithmeticTask(ArithmeticConfig.level(4));
        for (long seed = 0; seed < 200; seed++) {
            Problem p = task.generate(seed, Split.TRAIN);
            assertTrue(ArithmeticTask.workIsValid(p.solution()), p.solution());
        }
    }

    @Test
    void aRightAnswerAfterAWrongStepIsNotValidWork() {
        // Sampled from the warm-start policy: the answer is right, two steps are not.
        String response = "6+8=14, 14+3+9\n14+3=21, 21+9\n21+9=26\nA: 26";
        assertEquals(1.0, new ArithmeticTask(ArithmeticConfig.DEFAULT).score(response, "26").reward());
        assertFalse(ArithmeticTask.workIsValid(response));
        assertTrue(ArithmeticTask.workIsValid("6+8=14, 14+3+9\n14+3=17, 17+9\n17+9=26\nA: 26"));
        assertTrue(ArithmeticTask.workIsValid("1-2=-1, -1-8\n-1-8=-9\nA: -9"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"A: 26", "", "6+8=14\nthen 26\nA: 26", "6/2=3\nA: 3", "99999999999999999999+1=0\nA: 0"})
    void noWorkOrUnreadableWorkIsNotValid(String response) {
        assertFalse(ArithmeticTask.workIsValid(response));
    }
}
