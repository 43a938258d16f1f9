package io.treepo.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.tasks.Task.Problem;
import io.treepo.tasks.Task.Split;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StrategyArithmeticTaskTest {
    private final Task task = Tasks.byName(StrategyArithmeticTask.NAME);
    private final ArithmeticTask arithmetic = new ArithmeticTask(ArithmeticConfig.DEFAULT);

    @Test
    void theCorpusMixesWorkedSolutionsAndDirectAnswersBothRightAndWellFormed() {
        int worked = 0;
        int n = 2000;
        for (long seed = 0; seed < n; seed++) {
            Problem p = task.generate(seed, Split.TRAIN);
            assertEquals(1.0, task.score(p.solution(), p.reference()).reward(), p.solution());
            if (StrategyArithmeticTask.isWorked(p.solution())) {
                worked++;
                assertTrue(ArithmeticTask.workIsValid(p.solution()), p.solution());
            } else {
                assertEquals("A: " + p.reference(), p.solution());
            }
        }
        assertThat((double) worked / n).isBetween(StrategyArithmeticTask.WORKED_SHARE - 0.04, StrategyArithmeticTask.WORKED_SHARE + 0.04);
    }

    @Test
    void thePromptDoesNotSayWhichStyleToUse() {
        Map<String, Set<Boolean>> styles = new HashMap<>();
        for (long seed = 0; seed < 4000; seed++) {
            Problem p = task.generate(seed, Split.TRAIN);
            Problem plain = arithmetic.generate(seed, Split.TRAIN);
            assertEquals(plain.prompt(), p.prompt()); // arithmetic's prompt, word for word
            assertEquals(plain.reference(), p.reference());
            styles.computeIfAbsent(p.prompt(), k -> new HashSet<>()).add(StrategyArithmeticTask.isWorked(p.solution()));
        }
        assertThat(styles.values()).as("some expressions appear with both styles").anyMatch(s -> s.size() == 2);
    }

    @Test
    void theRewardIsTheVerifiedAnswerWhicheverTheStyle() {
        Problem p = task.generate(7, Split.TRAIN);
        assertEquals(1.0, task.score("A: " + p.reference(), p.reference()).reward());
        assertEquals(1.0, task.score("1+2=3, 3*4\n3*4=12\nA: " + p.reference(), p.reference()).reward(), "wrong work, right answer");
        assertEquals(0.0, task.score("A: " + p.reference() + "1", p.reference()).reward());
        assertEquals(0.0, task.score("no answer", p.reference()).reward());
    }

    @Test
    void heldOutProblemsAreNeverTrainedOn() {
        Set<String> train = new HashSet<>();
        for (long seed = 0; seed < 3000; seed++) train.add(task.generate(seed, Split.TRAIN).prompt());
        for (long seed = 0; seed < 300; seed++) assertFalse(train.contains(task.generate(seed, Split.HELD_OUT).prompt()));
    }

    @Test
    void aResponseIsWorkedWhenALineComesBeforeItsAnswer() {
        assertTrue(StrategyArithmeticTask.isWorked("3*4=12, 7+12-5\n7+12=19\nA: 19"));
        assertFalse(StrategyArithmeticTask.isWorked("A: 19"));
        assertFalse(StrategyArithmeticTask.isWorked("3*4=12"));
    }

    @Test
    void onlyTheStrategyTaskTellsWhetherAResponseIsWorked() {
        assertEquals(Optional.of(true), task.worked("7+12=19\nA: 19"));
        assertEquals(Optional.of(false), task.worked("A: 19"));
        assertEquals(Optional.empty(), arithmetic.worked("7+12=19\nA: 19"));
    }
}
